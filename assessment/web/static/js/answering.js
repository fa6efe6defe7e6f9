// Dimension pages: save changed answers in the background and show or hide conditional
// questions as answers change. The page works without this file; the server decides what
// is stored and which questions apply, this only saves sooner and reacts faster.
// Changes not yet confirmed saved are also kept in this browser (localStorage, per user,
// assessment and dimension), so that after a refusal, such as an ended session, the page
// offers them back when it is opened again. Every answer carries the revision the page
// holds of it (input "based-<practice id>"): a save of a practice someone else changed
// meanwhile is refused for it, and the page shows the stored answer beside the user's.
(function () {
  "use strict";

  var form = document.getElementById("answer-form");
  if (!form || !window.fetch || !form.dataset.autosaveUrl) {
    return;
  }

  var COMMENT_DELAY_MS = 1200;
  var CHOICE_DELAY_MS = 250;
  var RETRY_DELAY_MS = 5000;
  var KEEPALIVE_LIMIT = 60000;
  var KEPT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  var keptKey = form.dataset.keepKey ? "unsaved-answers/" + form.dataset.keepKey : null;
  var url = form.dataset.autosaveUrl;
  var csrfInput = form.querySelector("input[name='csrf_token']");
  var statusBox = document.getElementById("autosave-status");
  var dirty = {};
  var timer = null;
  var inFlight = null;
  var stopped = false;

  function practiceIdOf(element) {
    var fieldset = element.closest("fieldset[data-practice]");
    return fieldset ? fieldset.dataset.practice : null;
  }

  function fieldsetOf(practiceId) {
    return document.getElementById("answer-" + practiceId);
  }

  function choiceOf(practiceId) {
    var checked = form.querySelector(
      "input[type='radio'][name='answer-" + cssEscape(practiceId) + "']:checked"
    );
    return checked ? checked.value : null;
  }

  function commentOf(practiceId) {
    var box = document.getElementById("comment-" + practiceId);
    return box ? box.value : "";
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/[^a-zA-Z0-9_-]/g, "\\$&");
  }

  // A live region: rewrite it only when the message changes, or it is read out again.
  function say(message, kind) {
    if (!statusBox || statusBox.textContent === message) {
      return;
    }
    statusBox.textContent = message;
    statusBox.className = "autosave-status" + (kind ? " autosave-status--" + kind : "");
  }

  function showProblem(message) {
    var box = document.getElementById("autosave-problem");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-problem";
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = "";
    var title = document.createElement("h2");
    title.className = "error-summary__title";
    title.textContent = "Your latest changes are not saved";
    var text = document.createElement("p");
    text.textContent = message;
    var reload = document.createElement("a");
    reload.href = window.location.pathname;
    reload.textContent = "Reload the page";
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(reload);
  }

  function payloadFor(ids) {
    var answers = {};
    ids.forEach(function (id) {
      answers[id] = { choice: choiceOf(id), comment: commentOf(id), revision: heldRevision(id) };
    });
    return { answers: answers };
  }

  function takeDirty() {
    var ids = Object.keys(dirty);
    dirty = {};
    return ids;
  }

  // keepalive lets a save finish after the tab closes; browsers cap such bodies at 64 kB.
  function request(body) {
    var text = JSON.stringify(body);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: text.length < KEEPALIVE_LIMIT,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfInput ? csrfInput.value : "",
      },
      body: text,
    });
  }

  function schedule(delay) {
    if (stopped) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function basedOnInput(id) {
    return form.querySelector("input[name='based-" + cssEscape(id) + "']");
  }

  // The revision of the practice's answer this page holds (0: no answer).
  function heldRevision(id) {
    var input = basedOnInput(id);
    return input ? parseInt(input.value, 10) || 0 : 0;
  }

  function holdRevision(id, revision) {
    var input = basedOnInput(id);
    if (input) {
      input.value = String(revision);
    }
  }

  // Every save of this page still waiting for its answer; a success settles the page
  // (its revision goes up) as soon as it arrives.
  var outstanding = [];

  function send(ids) {
    var body = payloadFor(ids);
    var outcome = request(body).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          if (response.status === 200 && answer.ok) {
            settle(answer);
            forget(
              ids.filter(function (id) {
                return !dirty[id];
              })
            );
          }
          return { status: response.status, body: answer, sent: body.answers };
        });
    });
    outstanding.push(outcome);
    var done = function () {
      outstanding.splice(outstanding.indexOf(outcome), 1);
    };
    outcome.then(done, done);
    return outcome;
  }

  // A refusal (409) names the practices whose stored answer is newer than the revision
  // sent. It may come from another save of this very page that took the revision first:
  // once every other save of the page has answered, the page then holds exactly the
  // server's revision of that practice, and the answer goes again on top of it.
  // Otherwise someone else saved that practice: the page shows both answers and the user
  // chooses. Practices not named were not saved either and go again.
  function decide(result, ids) {
    if (result.status === 200 && result.body.ok) {
      ids.forEach(confirmCarried);
      return Promise.resolve();
    }
    var others = outstanding.map(function (outcome) {
      return outcome.catch(function () {
        return null;
      });
    });
    return Promise.all(others).then(function () {
      if (result.status !== 409 || !result.body.conflicts || stopped) {
        refuse(result.status, result.body, ids);
        return;
      }
      var conflicted = {};
      result.body.conflicts.forEach(function (conflict) {
        var id = conflict.practice;
        var stored = result.body.revisions[id];
        conflicted[id] = true;
        if (stored === heldRevision(id) && result.sent[id].revision !== stored) {
          retryLater([id]);
        } else {
          showConflict(conflict, stored);
        }
      });
      retryLater(
        ids.filter(function (id) {
          return !conflicted[id];
        })
      );
    });
  }

  // A saved answer is the lead's own: its "carried over, please confirm" flag goes.
  function confirmCarried(id) {
    var flag = document.getElementById("carried-" + id);
    if (flag) {
      flag.remove();
    }
  }

  function save() {
    window.clearTimeout(timer);
    if (stopped || inFlight) {
      return inFlight || Promise.resolve();
    }
    var ids = takeDirty();
    if (!ids.length) {
      return Promise.resolve();
    }
    say("Saving…", "busy");
    inFlight = send(ids)
      .then(
        function (result) {
          return decide(result, ids);
        },
        function () {
          ids.forEach(function (id) {
            dirty[id] = true;
          });
          say("Could not reach the server; trying again shortly. Your page keeps the changes.", "error");
          schedule(RETRY_DELAY_MS);
        }
      )
      .then(function () {
        inFlight = null;
        if (Object.keys(dirty).length) {
          schedule(CHOICE_DELAY_MS);
        }
      });
    return inFlight;
  }

  function refuse(status, body, ids) {
    stopped = true;
    ids.forEach(function (id) {
      dirty[id] = true;
    });
    var message = body.message || "The server refused the change (status " + status + ").";
    if (body.problems && body.problems.length) {
      message += " " + body.problems.join(" ");
    }
    if (status === 401) {
      message =
        "You have been signed out, so your latest changes were not saved. This browser keeps " +
        "them: reload the page and sign in again, and the page offers them back.";
    } else if (status === 400 && !body.message) {
      message =
        "Your session or the page has expired, so your latest changes were not saved. This " +
        "browser keeps them: reload the page (signing in again if asked), and the page " +
        "offers them back.";
    }
    say("Not saved.", "error");
    showProblem(message);
  }

  // Saves may answer out of order; per practice, the highest revision is the latest.
  function settle(body) {
    Object.keys(body.revisions || {}).forEach(function (id) {
      if (body.revisions[id] > heldRevision(id) || body.revisions[id] === 0) {
        holdRevision(id, body.revisions[id]);
        rebaseKept(id, body.revisions[id]);
      }
    });
    updateProgress(body.progress);
    applyVisibility(body.visible || []);
    var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    say("All changes saved at " + time + ".", "done");
  }

  function updateProgress(progress) {
    if (!progress) {
      return;
    }
    setBar("overall", progress.answered, progress.total, progress.percent);
    var dimension = progress.dimensions && progress.dimensions[form.dataset.dimension];
    if (dimension) {
      setBar("dimension", dimension.answered, dimension.total, dimension.percent);
    }
  }

  function setBar(id, answered, total, percent) {
    var wrapper = document.querySelector("[data-progress='" + id + "']");
    if (!wrapper) {
      return;
    }
    var bar = wrapper.querySelector("progress");
    var text = wrapper.querySelector("[data-progress-text]");
    bar.max = total || 1;
    bar.value = total ? answered : 1;
    bar.textContent = percent + "%";
    if (text) {
      text.textContent = answered + " of " + total + " questions answered (" + percent + "%)";
    }
  }

  // The server's list of applicable questions after a save settles what the page shows.
  function applyVisibility(visibleIds) {
    var visible = {};
    visibleIds.forEach(function (id) {
      visible[id] = true;
    });
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (fieldset) {
      fieldset.hidden = !visible[fieldset.dataset.practice];
    });
  }

  // Between saves, conditions on questions of this page are evaluated right away.
  function refreshConditions() {
    form.querySelectorAll("fieldset[data-show-if]").forEach(function (fieldset) {
      var controller = fieldset.dataset.showIf;
      var controllerFieldset = fieldsetOf(controller);
      if (!controllerFieldset || !form.contains(controllerFieldset)) {
        return;
      }
      var wanted = (fieldset.dataset.showIfAny || "").split(" ");
      var chosen = controllerFieldset.hidden ? null : choiceOf(controller);
      fieldset.hidden = !chosen || wanted.indexOf(chosen) === -1;
    });
  }

  form.addEventListener("change", function (event) {
    var id = practiceIdOf(event.target);
    // A conflict's "which to keep" choice is sent with the form's save buttons only.
    if (!id || event.target.name.indexOf("resolve-") === 0) {
      return;
    }
    dirty[id] = true;
    keep(id);
    if (event.target.type === "radio") {
      refreshConditions();
      schedule(CHOICE_DELAY_MS);
    } else {
      schedule(CHOICE_DELAY_MS);
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") {
      return;
    }
    var id = practiceIdOf(event.target);
    if (id) {
      dirty[id] = true;
      keep(id);
      say("Unsaved changes…", "busy");
      schedule(COMMENT_DELAY_MS);
    }
  });

  form.addEventListener("focusout", function (event) {
    if (event.target.tagName === "TEXTAREA" && Object.keys(dirty).length) {
      save();
    }
  });

  // A save button waits for a background save in flight, so the form carries the
  // revision that save produced instead of a stale one.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    dirty = {};
    if (inFlight) {
      event.preventDefault();
      var submitter = event.submitter;
      inFlight.then(function () {
        if (form.requestSubmit) {
          form.requestSubmit(submitter || undefined);
        } else {
          form.submit();
        }
      });
    }
  });

  // Leaving or hiding the page: save what is left at once. A save still in flight may not
  // answer before the page is gone, so the rest goes now with the revision this page
  // holds, never a guess at the one that save will produce: if that save takes the
  // revision first, this one is refused (409) and, should the page still be open, sent
  // again on top of it; if another session saved meanwhile, both are refused.
  function flushOnExit() {
    if (stopped || !Object.keys(dirty).length) {
      return;
    }
    if (!inFlight) {
      save();
      return;
    }
    var ids = takeDirty();
    send(ids).then(
      function (result) {
        return decide(result, ids);
      },
      function () {
        retryLater(ids);
      }
    );
  }

  // Still on the page after all (the tab was only hidden): try those answers again.
  function retryLater(ids) {
    ids.forEach(function (id) {
      dirty[id] = true;
    });
    schedule(CHOICE_DELAY_MS);
  }

  window.addEventListener("pagehide", flushOnExit);
  // Back to a page kept in the browser's memory: its revision may be stale, so load afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flushOnExit();
    }
  });

  // Unsaved changes kept in this browser --------------------------------------------------

  function readKept() {
    try {
      var entry = JSON.parse(window.localStorage.getItem(keptKey) || "null");
      return entry && entry.answers ? entry : null;
    } catch (error) {
      return null;
    }
  }

  function writeKept(entry) {
    try {
      if (entry && Object.keys(entry.answers).length) {
        window.localStorage.setItem(keptKey, JSON.stringify(entry));
      } else {
        window.localStorage.removeItem(keptKey);
      }
    } catch (error) {
      // Storage full or disabled: the page still saves as before, it only cannot keep.
    }
  }

  function keep(id) {
    if (!keptKey) {
      return;
    }
    var entry = readKept() || { answers: {} };
    entry.at = Date.now();
    var earlier = entry.answers[id];
    entry.answers[id] = {
      choice: choiceOf(id),
      comment: commentOf(id),
      revision: earlier ? earlier.revision : heldRevision(id),
    };
    writeKept(entry);
  }

  // A change kept while its practice was saved: it is now based on the saved revision.
  function rebaseKept(id, revision) {
    var entry = keptKey && readKept();
    if (entry && entry.answers[id]) {
      entry.answers[id].revision = revision;
      writeKept(entry);
    }
  }

  function forget(ids) {
    var entry = keptKey && readKept();
    if (!entry) {
      return;
    }
    ids.forEach(function (id) {
      delete entry.answers[id];
    });
    writeKept(entry);
  }

  // Kept changes that differ from what the page shows (what the server stores), if any.
  function differingKept(entry) {
    return Object.keys(entry.answers).filter(function (id) {
      var fieldset = fieldsetOf(id);
      var kept = entry.answers[id];
      return (
        fieldset &&
        form.contains(fieldset) &&
        (kept.choice !== choiceOf(id) || (kept.comment || "") !== commentOf(id))
      );
    });
  }

  function restore(entry, ids) {
    ids.forEach(function (id) {
      var kept = entry.answers[id];
      form
        .querySelectorAll("input[type='radio'][name='answer-" + cssEscape(id) + "']")
        .forEach(function (radio) {
          radio.checked = radio.value === kept.choice;
        });
      var box = document.getElementById("comment-" + id);
      if (box) {
        box.value = kept.comment || "";
      }
      // Based on what the page showed then: a colleague's save since is a conflict.
      if (typeof kept.revision === "number") {
        holdRevision(id, kept.revision);
      }
      dirty[id] = true;
    });
    refreshConditions();
    say("Restored your unsaved changes; saving…", "busy");
    schedule(CHOICE_DELAY_MS);
  }

  function offerKept() {
    var entry = keptKey && readKept();
    if (!entry) {
      return;
    }
    var ids = differingKept(entry);
    if (!ids.length || !(Date.now() - entry.at < KEPT_MAX_AGE_MS)) {
      writeKept(null);
      return;
    }
    var box = document.createElement("div");
    box.id = "kept-answers";
    box.className = "notice notice--warning";
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "kept-answers-title");
    var title = document.createElement("h2");
    title.id = "kept-answers-title";
    title.className = "notice__title";
    title.textContent =
      ids.length === 1 ? "1 answer on this page was not saved" : ids.length + " answers on this page were not saved";
    var when = new Date(entry.at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    var text = document.createElement("p");
    text.textContent =
      "This browser kept your changes of " + when + " that did not reach the server " +
      "(for example because you were signed out). The page shows what is stored now.";
    var actions = choiceButtons("Restore and save my changes", "Discard them");
    var restoreButton = actions.primary;
    var discardButton = actions.secondary;
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(actions.row);
    form.insertBefore(box, form.firstChild);
    restoreButton.addEventListener("click", function () {
      box.remove();
      restore(entry, ids);
    });
    discardButton.addEventListener("click", function () {
      box.remove();
      writeKept(null);
      say("Discarded the changes kept in this browser.", "done");
    });
  }

  // A row of two buttons: the primary choice and the other one.
  function choiceButtons(primaryText, secondaryText) {
    function button(className, text) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "button " + className;
      element.textContent = text;
      return element;
    }
    var row = document.createElement("div");
    row.className = "actions";
    var primary = button("button--primary", primaryText);
    var secondary = button("button--secondary", secondaryText);
    row.appendChild(primary);
    row.appendChild(secondary);
    return { row: row, primary: primary, secondary: secondary };
  }

  // Conflicts -------------------------------------------------------------------------------

  function paragraph(className, text) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function side(heading, label, comment) {
    var box = document.createElement("div");
    box.className = "conflict__side";
    box.appendChild(paragraph("conflict__heading", heading));
    box.appendChild(paragraph("conflict__answer", label));
    box.appendChild(paragraph("comment", comment || "No comment"));
    return box;
  }

  function showConflict(conflict, storedRevision) {
    var id = conflict.practice;
    var fieldset = fieldsetOf(id);
    if (!fieldset) {
      return;
    }
    var old = document.getElementById("conflict-" + id);
    if (old) {
      old.remove();
    }
    var box = document.createElement("div");
    box.className = "conflict";
    box.id = "conflict-" + id;
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "conflict-" + id + "-title");
    var title = paragraph(
      "conflict__title",
      "Question " + conflict.number + " was saved meanwhile by " + conflict.savedBy +
        (conflict.savedAt ? " on " + conflict.savedAt : "") + ", so your answer was not saved."
    );
    title.id = "conflict-" + id + "-title";
    title.setAttribute("role", "alert");
    var pair = document.createElement("div");
    pair.className = "conflict__pair";
    pair.appendChild(side("Stored answer", conflict.storedLabel, conflict.storedComment));
    pair.appendChild(side("Your answer (in the form below)", conflict.yoursLabel, commentOf(id)));
    var actions = choiceButtons("Keep my answer", "Keep the stored answer");
    var mine = actions.primary;
    var theirs = actions.secondary;
    box.appendChild(title);
    box.appendChild(pair);
    box.appendChild(actions.row);
    var legend = fieldset.querySelector("legend");
    fieldset.insertBefore(box, legend ? legend.nextSibling : fieldset.firstChild);
    say("Not saved: question " + conflict.number + " was changed by someone else.", "error");
    mine.addEventListener("click", function () {
      box.remove();
      holdRevision(id, storedRevision);
      dirty[id] = true;
      keep(id);
      schedule(0);
    });
    theirs.addEventListener("click", function () {
      box.remove();
      holdRevision(id, storedRevision);
      form
        .querySelectorAll("input[type='radio'][name='answer-" + cssEscape(id) + "']")
        .forEach(function (radio) {
          radio.checked = radio.value === conflict.storedChoice;
        });
      var comment = document.getElementById("comment-" + id);
      if (comment) {
        comment.value = conflict.storedComment || "";
      }
      delete dirty[id];
      forget([id]);
      refreshConditions();
      say("Kept the stored answer of question " + conflict.number + ".", "done");
    });
  }

  refreshConditions();
  offerKept();
})();
