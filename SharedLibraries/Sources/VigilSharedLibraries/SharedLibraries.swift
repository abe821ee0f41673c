// Nothing of its own: the product links the libraries listed in Package.swift
// into one shared object. Vigil's sources import them by their own names
// (`import NIOCore`, `import GRPCCore`, …); their modules are built as
// dependencies of this target, so the imports resolve, and their code is
// linked here once.
