/// CONTRACT STUB: console render benchmarks (issue 5).
enum RenderBench {
    static func run(_ arguments: [String]) { print("render benchmark not built yet") }
}
