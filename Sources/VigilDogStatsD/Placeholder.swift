// VigilDogStatsD: filled in by its issue.
