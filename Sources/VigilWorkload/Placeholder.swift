// VigilWorkload: filled in by its issue.
