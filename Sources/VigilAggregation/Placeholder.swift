// VigilAggregation: filled in by its issue.
