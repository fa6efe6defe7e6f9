"""Report downloads for consultants and admins: agency PDFs and previews, cohort PDFs."""
