import Foundation
import ReviewCore
import ReviewConsole

/// The label screen: header, item line, the item's panes, status line and key bar.
public enum LabelScreen {
    /// Where everything goes at one size, with each pane's wrapped content.
    public struct Layout {
        /// Row 0: dataset, rater, mode, position, progress.
        public var header: Rect
        /// Row 1: condition, model, settings, filter and search.
        public var itemLine: Rect
        /// The panes' area (overlays are drawn over it).
        public var body: Rect
        /// The status line (messages and the line editor).
        public var status: Rect
        /// The last row: keys valid now.
        public var keyBar: Rect
        /// Each visible pane, its rectangle and its lines.
        public var panes: [(pane: ConsolePane, rect: Rect, lines: [StyledLine])]
        /// The one-line stand-in for a collapsed context.
        public var collapsedContext: Rect?

        /// The largest useful scroll of each pane.
        public var scrollLimits: [ConsolePane: Int] {
            var limits: [ConsolePane: Int] = [:]
            for entry in panes { limits[entry.pane] = Pane.maxScroll(lineCount: entry.lines.count, height: entry.rect.height) }
            return limits
        }
    }

    static let muted = CellStyle(dim: true, color: .muted)
    static let bold = CellStyle(bold: true)

    /// Lays the screen out for `size` (at least the minimum size).
    public static func layout(_ state: ConsoleState, size: TerminalSize) -> Layout {
        let width = size.columns, height = size.rows
        let body = Rect(x: 0, y: 2, width: width, height: height - 4)
        var layout = Layout(
            header: Rect(x: 0, y: 0, width: width, height: 1), itemLine: Rect(x: 0, y: 1, width: width, height: 1),
            body: body, status: Rect(x: 0, y: height - 2, width: width, height: 1),
            keyBar: Rect(x: 0, y: height - 1, width: width, height: 1), panes: [], collapsedContext: nil)
        guard let item = state.currentItem else { return layout }
        let leftWidth = width * 3 / 5
        let rightWidth = width - leftWidth
        let leftInner = Pane.innerWidth(leftWidth), rightInner = Pane.innerWidth(rightWidth)

        // Left column: context, stimulus, response. The stimulus gets its whole text first (the response keeps
        // `responseMinimum` rows and scrolls); the context takes what is left, scrolling when it must.
        let responseMinimum = 5
        let stimulusLines = Styled.wrapped(item.stimulus, width: leftInner)
        let stimulusNeed = stimulusLines.count + 2
        var y = body.y
        var remaining = body.height
        if !item.context.isEmpty {
            if state.contextCollapsed {
                layout.collapsedContext = Rect(x: 0, y: y, width: leftWidth, height: 1)
                y += 1
                remaining -= 1
            } else {
                let lines = contextLines(item, width: leftInner)
                let room = body.height - min(stimulusNeed, body.height / 2) - responseMinimum
                let height = min(lines.count + 2, max(4, min(room, body.height / 3 + 2)))
                layout.panes.append((.context, Rect(x: 0, y: y, width: leftWidth, height: height), lines))
                y += height
                remaining -= height
            }
        }
        let stimulusHeight = max(3, min(stimulusNeed, remaining - responseMinimum))
        layout.panes.append((.stimulus, Rect(x: 0, y: y, width: leftWidth, height: stimulusHeight), stimulusLines))
        y += stimulusHeight
        remaining -= stimulusHeight
        layout.panes.append((.response, Rect(x: 0, y: y, width: leftWidth, height: max(3, remaining)),
                             responseLines(item, width: leftInner)))

        // Right column: criterion, judge, your label.
        y = body.y
        remaining = body.height
        let criterion = criterionLines(item, state: state, width: rightInner)
        // The criterion comes first: its question and every option should be visible without scrolling.
        let criterionHeight = min(criterion.count + 2, max(5, body.height - 8))
        layout.panes.append((.criterion, Rect(x: leftWidth, y: y, width: rightWidth, height: criterionHeight), criterion))
        y += criterionHeight
        remaining -= criterionHeight
        let judge = judgeLines(item, state: state, width: rightInner)
        let judgeHeight = max(3, min(judge.count + 2, remaining - 3))
        layout.panes.append((.judge, Rect(x: leftWidth, y: y, width: rightWidth, height: judgeHeight), judge))
        y += judgeHeight
        remaining -= judgeHeight
        layout.panes.append((.label, Rect(x: leftWidth, y: y, width: rightWidth, height: max(3, remaining)),
                             labelLines(item, state: state, width: rightInner)))
        return layout
    }

    /// Draws the label screen (without overlays).
    public static func render(_ state: ConsoleState, into grid: inout Grid, layout: Layout) {
        renderHeader(state, into: &grid, rect: layout.header)
        guard let item = state.currentItem else {
            grid.write("This dataset has no items.", x: 2, y: layout.body.y + 1)
            renderStatus(state, into: &grid, rect: layout.status)
            KeyBar(entries: Keymap.keyBarEntries(for: state)).render(into: &grid, rect: layout.keyBar)
            return
        }
        renderItemLine(state, item: item, into: &grid, rect: layout.itemLine)
        if let row = layout.collapsedContext {
            let turns = item.context.count
            grid.write(TextWrap.truncate("▸ Context: \(turns) turn\(turns == 1 ? "" : "s") (x expands)", width: row.width - 1),
                       x: row.x + 1, y: row.y, style: muted, clip: row)
        }
        for entry in layout.panes {
            Pane(title: paneTitle(entry.pane, state: state), lines: entry.lines, scroll: state.scroll[entry.pane] ?? 0,
                 focused: state.focus == entry.pane && state.overlay == nil)
                .render(into: &grid, rect: entry.rect)
        }
        renderStatus(state, into: &grid, rect: layout.status)
        KeyBar(entries: Keymap.keyBarEntries(for: state)).render(into: &grid, rect: layout.keyBar)
    }

    static func paneTitle(_ pane: ConsolePane, state: ConsoleState) -> String {
        switch pane {
        case .judge where !state.judgeRevealed: "Judge (hidden)"
        default: pane.title
        }
    }

    // MARK: Header and item line

    static func renderHeader(_ state: ConsoleState, into grid: inout Grid, rect: Rect) {
        let total = state.order.count
        let position = total == 0 ? "0/0" : "\(state.position + 1)/\(total)"
        let modeText = state.mode == .verdictShown ? "VERDICT" : "BLIND"
        let barWidth = rect.width >= 120 ? 20 : 6
        // Time at the keyboard (time away left out) and items left, so the rater can pace the work.
        let beforeBar = "⏱\(state.session.activeText) \(position) "
        // Live labels only: practice and repeat answers are not labels of the study (status counts them apart).
        let live = max(0, state.labeledCount - state.practiceAndRepeatLabels.count)
        let trailingText = beforeBar + String(repeating: " ", count: barWidth) + " \(live) labeled, \(state.itemsLeft) left"
        // The mode and the rater's name always show; the program's and the dataset's names give way first, then
        // the rater's name is shortened in the middle.
        let mode = Span(modeText, CellStyle(bold: true, reverse: true, color: state.mode == .blind ? .accent : .warning))
        let room = rect.width - DisplayWidth.of(trailingText) - 3
        let dataset = TextSanitizer.singleLine(state.dataset.name)
        let rater = TextSanitizer.singleLine(state.rater)
        let candidates: [StyledLine] = [
            [Span("judge-review", CellStyle(bold: true, reverse: true)), Span(" · \(dataset) · rater \(rater) · ", CellStyle(reverse: true)), mode],
            [Span("\(dataset) · rater \(rater) · ", CellStyle(reverse: true)), mode],
            [Span("rater \(rater) · ", CellStyle(reverse: true)), mode],
        ]
        let spans = candidates.first { $0.reduce(0) { $0 + DisplayWidth.of($1.text) } <= room }
            ?? [Span("rater " + TextWrap.middleEllipsis(rater, keep: max(3, room - DisplayWidth.of(modeText) - 9)) + " · ", CellStyle(reverse: true)), mode]
        let header = StatusBar(spans: spans, trailing: [Span(trailingText, CellStyle(reverse: true))])
        header.render(into: &grid, rect: rect)
        let trailingWidth = DisplayWidth.of(trailingText)
        let barX = rect.maxX - trailingWidth - 1 + DisplayWidth.of(beforeBar)
        let fraction = total == 0 ? 0 : Double(state.labeledCount) / Double(total)
        ProgressBar(fraction: fraction).render(into: &grid, rect: Rect(x: barX, y: rect.y, width: barWidth, height: 1))
    }

    static func renderItemLine(_ state: ConsoleState, item: Item, into grid: inout Grid, rect: Rect) {
        var parts = [item.condition, item.subject.name]
        if state.purpose(at: state.position) == .practice { parts.insert("PRACTICE \(state.position + 1) of \(state.practiceCount)", at: 0) }
        if let steelman = item.subject.steelman { parts.append(steelman ? "steel-man prompt" : "no steel-man prompt") }
        if let position = item.subject.shownContextPosition { parts.append("context at message \(position)") }
        parts.append(item.experiment.rawValue)
        parts.append("id \(item.id)")
        var trailing: StyledLine = []
        if let filter = state.filter {
            let index = (state.filterPositions.sortedIndex(of: state.position).map { "\($0 + 1)" } ?? "–")
            trailing.append(Span("filter \(TextSanitizer.singleLine(filter.caption)) \(index)/\(state.filterPositions.count)", CellStyle(color: .warning)))
        }
        if let search = state.searchText {
            if !trailing.isEmpty { trailing.append(Span("  ")) }
            let count = state.searchPositions.count
            trailing.append(Span("search /\(TextSanitizer.singleLine(String(search.prefix(24)))): \(count) match\(count == 1 ? "" : "es"), n N", CellStyle(bold: true, color: .warning)))
        }
        // The id is what tells items apart: when the line is too long, the other parts give way first, then the
        // id is shortened in the middle (its start and end kept), never cut at the end or overwritten by the tags.
        let room = rect.width - 2 - trailing.reduce(0) { $0 + DisplayWidth.of($1.text) } - (trailing.isEmpty ? 0 : 3)
        let id = TextSanitizer.singleLine(item.id)
        var others = parts.dropLast().map(TextSanitizer.singleLine)
        func line(_ shownID: String) -> String { (others + ["id \(shownID)"]).joined(separator: " · ") }
        while DisplayWidth.of(line(id)) > room, !others.isEmpty { others.removeLast() }
        var text = line(id)
        if DisplayWidth.of(text) > room {
            let keep = max(8, room - DisplayWidth.of(line("")) - 1)
            text = line(TextWrap.middleEllipsis(id, keep: keep))
        }
        StatusBar(spans: [Span(text, CellStyle(bold: true, color: .accent))], trailing: trailing, background: .plain)
            .render(into: &grid, rect: rect)
    }


    // MARK: Pane contents

    static func contextLines(_ item: Item, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        for turn in item.context {
            let role = turn.role == "user" ? "client" : (turn.role == "assistant" ? "therapist" : turn.role)
            lines += Styled.field("\(TextSanitizer.singleLine(role)): ", turn.content, width: width,
                                  labelStyle: CellStyle(bold: true, color: turn.role == "user" ? .accent : .muted))
        }
        return lines
    }

    static func responseLines(_ item: Item, width: Int) -> [StyledLine] {
        guard let response = item.response else { return [[Span("(no response in the source data)", muted)]] }
        if response.allSatisfy(\.isWhitespace) { return [[Span("(empty response)", muted)]] }
        return Styled.wrapped(response, width: width)
    }

    static func criterionLines(_ item: Item, state: ConsoleState, width: Int) -> [StyledLine] {
        var lines = Styled.wrapped(item.criterion.question, width: width, style: bold)
        let keys = Keymap.optionKeys(for: item.criterion)
        let current = state.currentLabel?.answer
        var optionLine: StyledLine = []
        var used = 0
        for entry in keys {
            let text = TextSanitizer.singleLine(entry.option)
            let needed = DisplayWidth.of(text) + 4
            if used > 0 && used + needed > width {
                lines.append(optionLine)
                optionLine = []
                used = 0
            }
            optionLine.append(Span(String(entry.key), CellStyle(bold: true, reverse: true, color: .accent)))
            optionLine.append(Span(" " + text + "  ", entry.option == current ? CellStyle(bold: true, underline: true) : .plain))
            used += needed
        }
        if !optionLine.isEmpty { lines.append(optionLine) }
        if let scale = item.criterion.scale {
            // The options as a scale, low to high; the others are answers of their own, never points of it.
            let off = item.criterion.options.filter { !scale.ordered.contains($0) }
            let text = scale.ordered.map(TextSanitizer.singleLine).joined(separator: " < ")
                + (off.isEmpty ? "" : "; off the scale: " + off.map(TextSanitizer.singleLine).joined(separator: ", "))
            lines += Styled.field("scale: ", text, width: width, labelStyle: muted, valueStyle: .plain)
        }
        if state.hideAppropriateAnswer {
            lines.append([Span("appropriate answer hidden (H)", muted)])
        } else if let scale = item.criterion.scale {
            let counted = scale.inappropriate.isEmpty ? "none: this question enters no rate"
                : scale.inappropriate.map(TextSanitizer.singleLine).joined(separator: ", ")
            lines += Styled.field("counted inappropriate: ", counted, width: width, labelStyle: muted, valueStyle: CellStyle(color: .good))
        } else {
            lines += Styled.field("appropriate: ", item.criterion.appropriate, width: width,
                                  labelStyle: muted, valueStyle: CellStyle(color: .good))
        }
        return lines
    }

    static func verdictStyle(_ verdict: Verdict) -> CellStyle {
        switch verdict {
        case .appropriate: CellStyle(bold: true, color: .good)
        case .inappropriate: CellStyle(bold: true, color: .bad)
        case .noVerdict: CellStyle(bold: true, color: .warning)
        }
    }

    /// Most lines of the judge's rationale the judge pane shows.
    static let rationaleLines = 6

    static func judgeLines(_ item: Item, state: ConsoleState, width: Int) -> [StyledLine] {
        guard let judge = item.judge else { return [[Span("no judge answer for this item", muted)]] }
        guard state.judgeRevealed else {
            return Styled.wrapped("hidden until you answer (blind mode)", width: width, style: muted)
        }
        var lines = Styled.field("model: ", judge.name, width: width, labelStyle: muted)
        lines += Styled.field("answer: ", judge.answer ?? "none", width: width, labelStyle: muted, valueStyle: bold)
        lines.append([Span("verdict: ", muted), Span(item.judgeVerdict.rawValue, verdictStyle(item.judgeVerdict))])
        if let rationale = judge.rationale {
            // The judge's reasons, only once revealed (after a blind answer); long ones are cut, not the pane below.
            let why = Styled.field("why: ", rationale, width: width, labelStyle: muted)
            lines += why.prefix(rationaleLines)
            if why.count > rationaleLines { lines.append([Span("… (\(why.count - rationaleLines) more lines)", muted)]) }
        }
        if let label = state.currentLabel, let agreement = label.judgeAgreement {
            switch agreement {
            case .agree: lines.append([Span("you agree", CellStyle(bold: true, color: .good))])
            case .disagree: lines.append([Span("you disagree", CellStyle(bold: true, color: .warning))])
            case .noJudgeVerdict: lines.append([Span("no verdict to compare", muted)])
            }
        } else if state.mode == .verdictShown, item.judgeVerdict != .noVerdict {
            lines.append([Span("+", CellStyle(bold: true, reverse: true, color: .accent)), Span(" agree  "),
                          Span("-", CellStyle(bold: true, reverse: true, color: .accent)), Span(" disagree")])
        }
        return lines
    }

    static func labelLines(_ item: Item, state: ConsoleState, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        if let label = state.currentLabel, let answer = label.answer {
            let verdict = label.verdict ?? item.criterion.verdict(for: answer)
            lines.append([Span("answer: ", muted), Span(TextSanitizer.singleLine(answer), bold), Span(" → ", muted),
                          Span(verdict.rawValue, verdictStyle(verdict))])
            if let revises = label.revises {
                lines += Styled.field("revises: ", revises, width: width, labelStyle: muted)
            }
            if let flag = label.flag {
                lines.append([Span("flag: ", muted), Span(flag.rawValue, CellStyle(bold: true, color: .warning))])
            }
            if let note = label.note { lines += Styled.field("note: ", note, width: width, labelStyle: muted) }
        } else if let label = state.currentLabel, label.kind == .abstain {
            lines.append([Span("cannot judge", CellStyle(bold: true, color: .warning)),
                          Span(" (done; left out of agreement; an option key answers it instead)", muted)])
            if let note = label.note { lines += Styled.field("note: ", note, width: width, labelStyle: muted) }
        } else {
            lines.append([Span("not labelled yet", muted)])
        }
        if let key = state.currentKey, let draft = state.draftNotes[key] {
            lines += Styled.field("note (saved with your answer): ", draft, width: width, labelStyle: muted)
        }
        if let pending = state.pendingSave(for: item.id) {
            switch pending.status {
            case .queued, .writing: lines.append([Span("saving…", CellStyle(color: .warning))])
            case .failed(let message):
                lines += Styled.field("NOT SAVED: ", message, width: width,
                                      labelStyle: CellStyle(bold: true, color: .bad), valueStyle: CellStyle(color: .bad))
            }
        } else if state.currentLabel != nil {
            lines.append([Span("saved ✓", CellStyle(color: .good))])
        }
        return lines
    }

    // MARK: Status line

    static func renderStatus(_ state: ConsoleState, into grid: inout Grid, rect: Rect) {
        grid.fill(rect)
        if let prompt = state.prompt {
            let text = TextSanitizer.singleLine(prompt.text)
            let available = rect.width - DisplayWidth.of(prompt.caption) - 3
            // Show the end of a long line, where the cursor is.
            var visible = text
            while DisplayWidth.of(visible) > available, !visible.isEmpty { visible.removeFirst() }
            LineDrawer.draw([Span(prompt.caption, CellStyle(bold: true, color: .accent)), Span(visible), Span("█", CellStyle(color: .accent))],
                            into: &grid, x: rect.x + 1, y: rect.y, clip: rect)
            return
        }
        let failure = state.writes.firstFailure
        let line: StyledLine
        if let message = state.message {
            line = [Span(TextSanitizer.singleLine(message), state.messageIsError ? CellStyle(bold: true, color: .bad) : .plain)]
        } else if let reason = failure {
            line = [Span("⚠ \(state.failedSaves) label\(state.failedSaves == 1 ? "" : "s") NOT SAVED: \(TextSanitizer.singleLine(reason)) (R retries)",
                         CellStyle(bold: true, color: .bad))]
        } else if !state.writes.isEmpty {
            line = [Span("saving…", CellStyle(color: .warning))]
        } else if let saved = state.lastSaved {
            let number = state.orderPosition(of: saved).map { " (item \($0 + 1))" } ?? ""
            line = [Span("saved ✓\(number)", CellStyle(color: .good))]
        } else if state.overlay == nil, state.mode == .blind, !state.judgeRevealed, state.currentItem?.judge != nil {
            line = [Span("blind: the judge is hidden until you answer", muted)]
        } else {
            line = []
        }
        // A message longer than the line ends in an ellipsis, so a cut is never mistaken for the whole message.
        let cut = line.map { Span(TextWrap.truncate($0.text, width: rect.width - 2), $0.style) }
        LineDrawer.draw(cut, into: &grid, x: rect.x + 1, y: rect.y, clip: rect)
    }
}
