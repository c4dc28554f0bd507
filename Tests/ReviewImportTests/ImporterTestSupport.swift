import Foundation
@testable import ReviewImport

extension Importer {
    /// Plans and writes an import in one call (a test that needs neither the plan nor its events afterwards).
    static func planAndWrite(_ request: ImportRequest) throws -> ImportOutcome {
        var plan = try plan(request)
        return try plan.write()
    }
}
