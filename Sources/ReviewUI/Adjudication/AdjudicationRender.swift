import Foundation
import ReviewCore
import ReviewConsole

extension AdjudicationConsole {
    /// Draws the console at `size` (a notice below 80×24).
    public func render(size: TerminalSize) -> Grid {
        AdjudicationRenderer.render(state, size: size)
    }
}

/// Draws the adjudication state: the pure `render(state, size) -> Grid`, as `ConsoleRenderer` for labelling.
public enum AdjudicationRenderer {
    /// Draws the queue or the open item, the message line, the key bar and (when open) the help overlay.
    public static func render(_ state: AdjudicationState, size: TerminalSize) -> Grid {
        guard size.columns >= TerminalSize.minimum.columns, size.rows >= TerminalSize.minimum.rows else {
            return TooSmallScreen.render(size: size)
        }
        var grid = Grid(width: size.columns, height: size.rows)
        let configuration = state.configuration
        let progress = configuration.queue.progress
        StatusBar(
            spans: [Span("Adjudicate ", CellStyle(bold: true, reverse: true)),
                    Span(TextSanitizer.singleLine("\(configuration.datasetName) · \(configuration.adjudicator)"), CellStyle(reverse: true))],
            trailing: [Span("⏱\(state.session.activeText) \(progress.decided)/\(progress.total) decided", CellStyle(reverse: true))]
        ).render(into: &grid, rect: Rect(x: 0, y: 0, width: size.columns, height: 1))
        let body = Rect(x: 0, y: 1, width: size.columns, height: size.rows - 3)
        switch state.screen {
        case .queue: renderQueue(state, into: &grid, body: body)
        case .item: renderItem(state, into: &grid, body: body)
        }
        renderMessage(state, into: &grid, y: size.rows - 2, width: size.columns)
        KeyBar(entries: AdjudicationKeymap.keyBarEntries(for: state)).render(into: &grid, rect: Rect(x: 0, y: size.rows - 1, width: size.columns, height: 1))
        if state.screen == .item, let prompt = state.sessionPrompt {
            let open = progress.total - progress.decided
            SessionPrompts.render(prompt, clock: state.session, done: state.session.itemsThisSession, left: open, unit: "decision",
                                  into: &grid, body: body)
        }
        if state.showingHelp {
            HelpOverlay.render(helpLines(state, width: HelpOverlay.box(in: body).inset(by: 1).insetHorizontally(by: 1).width),
                               title: "Help (Esc closes, ↓ j scrolls)", scroll: state.helpScroll, into: &grid, body: body)
        }
        return grid
    }

    /// How far the help can scroll at `size`: its lines past one screenful of the help box.
    public static func helpScrollLimit(_ state: AdjudicationState, size: TerminalSize) -> Int {
        let body = Rect(x: 0, y: 1, width: size.columns, height: max(0, size.rows - 3))
        let inner = HelpOverlay.box(in: body).inset(by: 1).insetHorizontally(by: 1)
        return max(0, helpLines(state, width: inner.width).count - inner.height)
    }

    // MARK: - Queue

    static func padded(_ text: String, _ width: Int) -> String {
        let cut = TextWrap.truncate(TextSanitizer.singleLine(text), width: width)
        return cut + String(repeating: " ", count: max(0, width - DisplayWidth.of(cut)))
    }

    static func renderQueue(_ state: AdjudicationState, into grid: inout Grid, body: Rect) {
        let configuration = state.configuration, filter = state.filter, visible = state.visible
        let kindText = filter.kinds.isEmpty ? "all" : AdjudicationKind.allCases.filter { filter.kinds.contains($0) }.map(\.title).joined(separator: ", ")
        let conditionText = filter.conditions.isEmpty ? "all" : filter.conditions.sorted().joined(separator: ", ")
        let open = visible.filter { !configuration.queue.cases[$0].isDone }.count
        grid.write(TextWrap.truncate(TextSanitizer.singleLine("kind: \(kindText) · condition: \(conditionText) · \(visible.count) shown, \(open) open"), width: body.width - 2),
                   x: 1, y: body.y, style: CellStyle(color: .accent))
        let heading = "  " + Self.padded("status", 12) + Self.padded("kind", 20) + Self.padded("condition", 26) + "item"
        grid.write(TextWrap.truncate(heading, width: body.width), x: 0, y: body.y + 1, style: CellStyle(bold: true, underline: true))
        let listRect = Rect(x: 0, y: body.y + 2, width: body.width, height: body.height - 2)
        if visible.isEmpty {
            grid.write("no item passes the filter (f: kind, c: condition)", x: 2, y: listRect.y, style: CellStyle(dim: true))
            return
        }
        let entries = visible.map { index -> String in
            let entry = configuration.queue.cases[index]
            let status = entry.decision.map { "done: \($0.answer ?? "")" } ?? "open"
            // The id's end tells items apart: shorten it in the middle to what the row has room for.
            let room = max(12, body.width - 2 - 12 - 20 - 26 - 1)
            return Self.padded(status, 12) + Self.padded(entry.kind.title, 20) + Self.padded(entry.item.condition, 26)
                + TextWrap.middleEllipsis(TextSanitizer.singleLine(entry.item.id), keep: room)
        }
        ListWidget(entries: entries, selected: state.selected).render(into: &grid, rect: listRect)
    }

    // MARK: - Item

    static func itemLines(_ item: Item, width: Int) -> [StyledLine] {
        let heading = CellStyle(bold: true)
        var lines: [StyledLine] = []
        if !item.context.isEmpty {
            lines.append([Span("Context", heading)])
            for turn in item.context {
                lines += Styled.field("\(turn.role): ", turn.content, width: width)
            }
            lines.append([])
        }
        lines.append([Span("Stimulus", heading)])
        lines += Styled.wrapped(item.stimulus, width: width)
        lines.append([])
        lines.append([Span("Response", heading)])
        if let response = item.response {
            lines += Styled.wrapped(response, width: width)
        } else {
            lines.append([Span("(missing)", CellStyle(dim: true))])
        }
        lines.append([])
        lines.append([Span("Criterion", heading)])
        lines += Styled.wrapped(item.criterion.question, width: width)
        let keys = Keymap.optionKeys(for: item.criterion).map { "[\($0.key)] \($0.option)" }.joined(separator: "  ")
        lines += Styled.wrapped("\(keys)   · appropriate answer: \(item.criterion.appropriate)", width: width, style: CellStyle(color: .accent))
        return lines
    }

    static func ratingLines(_ entry: AdjudicationCase, revealed: Set<String>, width: Int) -> [StyledLine] {
        let item = entry.item
        var lines: [StyledLine] = []
        if let judge = item.judge {
            let answer = judge.answer ?? "no answer"
            lines.append(Styled.line("Judge  ", "\(judge.raterName): \(answer) → \(item.judgeVerdict.rawValue)", width: width))
        } else {
            lines.append(Styled.line("Judge  ", "none in this dataset", width: width))
        }
        let showNames = revealed.contains(item.id)
        let whoWidth = showNames
            ? min(28, (entry.labels.map { DisplayWidth.of(TextSanitizer.singleLine("\($0.alias) \($0.rater)")) }.max() ?? 0) + 2)
            : 5
        for label in entry.labels {
            let event = label.event
            let who = showNames ? "\(label.alias) \(label.rater)" : label.alias
            var parts = ["\(event.answer ?? "(none)") → \((event.verdict ?? item.criterion.verdict(for: event.answer)).rawValue)"]
            if let ms = event.ms { parts.append(String(format: "%.1fs", Double(ms) / 1000)) }
            parts.append(event.mode.rawValue)
            if let flag = event.flag { parts.append("flag: \(flag.rawValue)") }
            if let note = event.note, !note.isEmpty { parts.append("note: \(note)") }
            lines.append(Styled.line(Self.padded(who, whoWidth), parts.joined(separator: " · "), width: width))
        }
        if let decision = entry.decision {
            let text = "\(decision.answer ?? "") (\(decision.verdict?.rawValue ?? "")) by \(decision.adjudicator): \(decision.rationale ?? "")"
            lines.append(Styled.line("Decided ", text, width: width, valueStyle: CellStyle(color: .good)))
        }
        return lines
    }

    static func renderItem(_ state: AdjudicationState, into grid: inout Grid, body: Rect) {
        guard let entry = state.currentCase else {
            grid.write("no item open", x: 1, y: body.y)
            return
        }
        let item = state.shownItem(entry)
        var line = "\(state.selected + 1)/\(state.visible.count) · \(entry.kind.title) · \(item.condition) · \(item.id) · \(item.subject.name)"
        if entry.isDone { line += " · decided (a new decision replaces it)" }
        grid.write(TextWrap.truncate(TextSanitizer.singleLine(line), width: body.width - 2), x: 1, y: body.y, style: CellStyle(bold: true))
        let inner = Pane.innerWidth(body.width)
        let ratings = ratingLines(entry, revealed: state.revealed, width: inner)
        let ratingsHeight = min(ratings.count + 2, max(4, (body.height - 1) / 2))
        let itemRect = Rect(x: 0, y: body.y + 1, width: body.width, height: body.height - 1 - ratingsHeight)
        let ratingsRect = Rect(x: 0, y: itemRect.maxY, width: body.width, height: ratingsHeight)
        let lines = itemLines(item, width: inner)
        let maxScroll = Pane.maxScroll(lineCount: lines.count, height: itemRect.height)
        Pane(title: "Item", lines: lines, scroll: min(state.scroll, maxScroll), focused: true).render(into: &grid, rect: itemRect)
        let title = state.revealed.contains(item.id) ? "Judge and raters (names revealed)" : "Judge and raters (names hidden: r reveals)"
        Pane(title: title, lines: ratings).render(into: &grid, rect: ratingsRect)
    }

    // MARK: - Message, key bar, help

    static func renderMessage(_ state: AdjudicationState, into grid: inout Grid, y: Int, width: Int) {
        let message = state.message
        if let message, state.quitAsked {
            // The quit question covers the rationale line until it is answered.
            grid.write(TextWrap.truncate(TextSanitizer.singleLine(message), width: width - 2), x: 1, y: y, style: CellStyle(bold: true, color: .bad))
        } else if let answer = state.pendingAnswer {
            let prompt = "Rationale for \"\(answer)\": "
            let room = max(1, width - DisplayWidth.of(prompt) - 2)
            var text = TextSanitizer.singleLine(state.rationale)
            while DisplayWidth.of(text) > room - 1, !text.isEmpty { text.removeFirst() }
            let x = 1 + grid.write(prompt, x: 1, y: y, style: CellStyle(bold: true, color: .accent))
            let written = grid.write(text, x: x, y: y)
            grid.write("▏", x: x + written, y: y, style: CellStyle(color: .accent))
            if let message, state.rationale.isEmpty {
                // A refusal (e.g. no rationale) shows beside the empty prompt.
                grid.write(TextWrap.truncate(TextSanitizer.singleLine(message), width: max(0, width - x - 3)), x: x + 2, y: y,
                           style: CellStyle(bold: true, color: .bad))
            }
        } else if let message {
            grid.write(TextWrap.truncate(TextSanitizer.singleLine(message), width: width - 2), x: 1, y: y,
                       style: state.messageIsError ? CellStyle(bold: true, color: .bad) : CellStyle(color: .good))
        }
    }

    /// The help, built from the keymap table as the label console's is.
    static func helpLines(_ state: AdjudicationState, width: Int) -> [StyledLine] {
        let titles: [AdjudicationScope: String] = [.queue: "Queue", .item: "Item", .rationale: "Rationale line", .help: "Help",
                                                   .sessionPrompt: "Breaks and notices"]
        return HelpOverlay.lines(
            table: AdjudicationKeymap.table, scopes: [.queue, .item, .rationale, .sessionPrompt], title: { titles[$0] ?? $0.rawValue },
            criterion: state.screen == .item ? state.currentCase?.item.criterion : nil,
            itemID: state.screen == .item ? state.currentCase.map { TextSanitizer.singleLine($0.item.id) } : nil,
            intro: "Raters appear as R1, R2, ... in an order drawn per item; r reveals names and records that you did.", width: width)
    }
}

extension Styled {
    /// `label` then `value` on one line, the value sanitised and cut to fit.
    static func line(_ label: String, _ value: String, width: Int, valueStyle: CellStyle = .plain) -> StyledLine {
        let room = max(1, width - DisplayWidth.of(label))
        return [Span(label, CellStyle(bold: true)), Span(TextWrap.truncate(TextSanitizer.singleLine(value), width: room), valueStyle)]
    }
}
