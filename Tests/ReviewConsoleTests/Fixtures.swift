import ReviewTestSupport

/// The console fixtures (shared with the screen tests).
typealias Fixtures = ConsoleFixtures
