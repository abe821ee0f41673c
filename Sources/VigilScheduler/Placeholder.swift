// VigilScheduler: filled in by its issue.
