/// CONTRACT STUB: agreement benchmarks (issue 4).
enum AgreementBench {
    static func run(_ arguments: [String]) { print("agreement benchmark not built yet") }
}
