// VigilModules: filled in by the spine.
