import Foundation
import ReviewStatistics
import Testing
import ReviewCore
import ReviewConsole
@testable import ReviewUI

@Suite("Overlays")
struct OverlayTests {
    @Test("the help lists every binding of the keymap table")
    func helpFromTable() {
        let state = Fixtures.state()
        let text = HelpOverlay.lines(for: state, width: 400).map { $0.map(\.text).joined() }.joined(separator: "\n")
        for binding in Keymap.table {
            #expect(text.contains(binding.help), "missing from help: \(binding.help)")
        }
        #expect(text.contains("here: y yes, n no"))
    }

    @Test("coefficients show value and interval, or a dash with the reason")
    func coefficientText() {
        #expect(AgreementScreen.describe(nil, percent: false).hasPrefix("— (not computed"))
        let undefined = CoefficientResult(value: nil, n: 12, reason: "both raters used a single category")
        #expect(AgreementScreen.describe(undefined, percent: false) == "— (both raters used a single category)")
        let kappa = CoefficientResult(value: 0.6234, n: 40, ciLow: 0.41, ciHigh: 0.8)
        #expect(AgreementScreen.describe(kappa, percent: false) == "0.62  95% CI [0.41, 0.80]  n=40")
        let percent = CoefficientResult(value: 0.875, n: 40)
        #expect(AgreementScreen.describe(percent, percent: true) == "87.5%  n=40")
    }

    @Test("the agreement screen shows the engine's values when it has them")
    func agreementWithValues() {
        let report = AgreementReport(
            rater: "alice", judge: "judge:m", compared: 40, excluded: 2,
            kappa: CoefficientResult(value: 0.5, n: 40, ciLow: 0.3, ciHigh: 0.7),
            percentAgreement: CoefficientResult(value: 0.8, n: 40, ciLow: 0.7, ciHigh: 0.9),
            confusion: ConfusionMatrix(truePositive: 5, falsePositive: 3, falseNegative: 5, trueNegative: 27),
            conditions: [.init(condition: "mania", agreeing: 8, total: 10)])
        var grid = Grid(width: 80, height: 24)
        AgreementScreen.render(report, into: &grid, body: Rect(x: 0, y: 2, width: 80, height: 20))
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("0.50  95% CI [0.30, 0.70]"))
        #expect(text.contains("80.0%  95% CI [70.0%, 90.0%]"))
        #expect(text.contains(" 80% (8/10)"))
    }
}
