import Foundation

/// A rater's items and order from the study's `assignment.json`.
public struct AssignedOrder: Sendable {
    /// The rater's queue, as dataset positions.
    public var positions: [Int]
    /// The assignment's seed.
    public var seed: UInt64
    /// The gold items of the practice round, with their answers.
    public var practice: [RaterPractice] = []
    /// Hidden repeats: dataset position and the live items after which it is shown again.
    public var repeats: [(item: Int, after: Int)] = []

    /// The rater's queue as dataset positions; nil when the study has no assignment. A rater the assignment does
    /// not name, or `--order`/`--seed` beside an assignment, is a one-line error.
    public static func load(study: Study?, dataset: Dataset, rater: String, order: OrderSettings.Kind?, seed: UInt64?) throws -> AssignedOrder? {
        guard let study, let assignment = try RaterAssignment.load(from: study) else { return nil }
        let file = RaterAssignment.url(in: study).path
        guard let queue = assignment.queue(of: rater) else {
            throw InputError(file: file, "rater \(rater) has no items in the study's assignment (raters: \(assignment.queues.map(\.rater).joined(separator: ", "))); add them with judge-review assign --rebalance")
        }
        if order != nil || seed != nil {
            throw InputError(file: file, "the study's assignment sets \(rater)'s items and order; --order and --seed do not apply")
        }
        func position(_ id: String) throws -> Int {
            guard let position = dataset.indexByID[id] else {
                throw InputError(file: file, "assigned item \(TextSanitizer.singleLine(id)) is not in the study's items")
            }
            return position
        }
        let positions = try queue.items.map(position)
        let answers = Dictionary(assignment.gold.map { ($0.id, $0.answer) }, uniquingKeysWith: { first, _ in first })
        let practice = try queue.gold.map { id -> RaterPractice in
            guard let answer = answers[id] else { throw InputError(file: file, "gold item \(TextSanitizer.singleLine(id)) has no answer in the assignment") }
            let index = try position(id)
            // The rule assign --gold applies: the answer must be one of the item's options.
            guard dataset.items[index].criterion.option(matching: answer) != nil else {
                throw InputError(file: file, "gold item \(TextSanitizer.singleLine(id)): \"\(TextSanitizer.singleLine(answer))\" is not one of its options (\(dataset.items[index].criterion.options.joined(separator: ", ")))")
            }
            return RaterPractice(itemIndex: index, answer: answer)
        }
        let repeats = try queue.repeats.map { (item: try position($0.item), after: $0.after) }
        return AssignedOrder(positions: positions, seed: assignment.seed, practice: practice, repeats: repeats)
    }
}

/// A practice item of the rater's queue and its known answer.
public struct RaterPractice: Sendable, Equatable {
    /// The item's index in the dataset.
    public var itemIndex: Int
    /// The gold answer.
    public var answer: String

    /// A practice item.
    public init(itemIndex: Int, answer: String) {
        self.itemIndex = itemIndex
        self.answer = answer
    }
}
