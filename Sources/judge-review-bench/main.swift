// Benchmarks, run by hand or by scripts; never timed inside tests.
//   swift run -c release judge-review-bench agreement [options]
//   swift run -c release judge-review-bench render [options]
//   swift run -c release judge-review-bench store [--count N] [--folder DIR]
//   swift run -c release judge-review-bench dataset [--items N] [--write DIR]
//   swift run -c release judge-review-bench console --study DIR [--rater NAME] [--runs N]
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "agreement":
    AgreementBench.run(Array(arguments.dropFirst()))
case "render":
    RenderBench.run(Array(arguments.dropFirst()))
case "store":
    StoreBench.run(Array(arguments.dropFirst()))
case "dataset":
    DatasetBench.run(Array(arguments.dropFirst()))
case "console":
    ConsoleBench.run(Array(arguments.dropFirst()))
default:
    print("usage: judge-review-bench agreement|render|store|dataset|console [options]")
}
