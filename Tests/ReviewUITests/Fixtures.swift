import Foundation
import ReviewCore
import ReviewConsole
import ReviewTestSupport
@testable import ReviewUI

/// The console fixtures, and the label console built from them.
typealias Fixtures = ConsoleFixtures

extension ConsoleFixtures {
    static func console(mode: ReviewMode = .blind, history: [LabelEvent] = [], dataset: Dataset = dataset()) -> LabelConsole {
        LabelConsole(LabelConsoleConfiguration(dataset: dataset, rater: "alice", mode: mode, order: Array(dataset.items.indices),
                                               history: history), now: start)
    }
}
