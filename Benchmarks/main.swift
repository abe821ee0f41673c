import Foundation

// vigil-bench NAME [options]: each benchmark prints its own figures.
let arguments = Array(CommandLine.arguments.dropFirst())
let benchmarks: [String: ([String]) async throws -> Void] = [
    "abi": ABIBenchmark.run,
    "dogstatsd": DogStatsDBenchmark.run,
    "dsd-bursts": DogStatsDBurstBenchmark.run,
    "forwarder": ForwarderBenchmark.run,
    "workload": WorkloadBenchmark.run,
    "cgroup": CgroupBenchmark.run,
    "idle": IdleBenchmark.run,
    "console": ConsoleBenchmark.run,
    "sbom": SBOMBenchmark.run,
    "autoscaling": AutoscalingBenchmark.run,
]
guard let name = arguments.first, let run = benchmarks[name] else {
    print("usage: vigil-bench \(benchmarks.keys.sorted().joined(separator: "|")) [options]")
    exit(2)
}
try await run(Array(arguments.dropFirst()))
