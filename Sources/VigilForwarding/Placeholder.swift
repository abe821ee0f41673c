// VigilForwarding: filled in by its issue.
