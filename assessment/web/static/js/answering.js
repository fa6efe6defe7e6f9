// Dimension pages: save changed answers in the background and show or hide conditional
// questions as answers change. The page works without this file; the server decides what
// is stored and which questions apply, this only saves sooner and reacts faster.
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
  var url = form.dataset.autosaveUrl;
  var csrfInput = form.querySelector("input[name='csrf_token']");
  var revisionInput = form.querySelector("input[name='revision']");
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
      answers[id] = { choice: choiceOf(id), comment: commentOf(id) };
    });
    return { revision: heldRevision(), answers: answers };
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

  function heldRevision() {
    return parseInt(revisionInput.value, 10);
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
          }
          return { status: response.status, body: answer, sent: body.revision };
        });
    });
    outstanding.push(outcome);
    var done = function () {
      outstanding.splice(outstanding.indexOf(outcome), 1);
    };
    outcome.then(done, done);
    return outcome;
  }

  // A refusal (409) may come from another save of this very page that took the revision
  // first. Once every other save of the page has answered, the page then holds a newer
  // revision than the one refused, and exactly the server's: these answers go again on
  // top of it. Otherwise someone else changed the answers and nothing more is sent.
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
      var held = heldRevision();
      if (result.status === 409 && result.sent !== held && result.body.revision === held && !stopped) {
        retryLater(ids);
        return;
      }
      refuse(result.status, result.body, ids);
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
        "You have been signed out, so your latest changes were not saved. Copy any text you " +
        "wrote, then reload the page and sign in again.";
    } else if (status === 400 && !body.message) {
      message =
        "Your session or the page has expired, so your latest changes were not saved. Copy " +
        "any text you wrote, then reload the page.";
    }
    say("Not saved.", "error");
    showProblem(message);
  }

  // Saves may answer out of order; the highest revision is the latest state.
  function settle(body) {
    if (body.revision < heldRevision()) {
      return;
    }
    revisionInput.value = String(body.revision);
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
    if (!id) {
      return;
    }
    dirty[id] = true;
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

  refreshConditions();
})();
