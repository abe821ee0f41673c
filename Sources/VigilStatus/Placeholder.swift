// VigilStatus: filled in by its issue.
