/// A horizontal bar chart as inline SVG, drawn on the server so the browser only inserts it: one `<g class="bar">` per
/// bar with its label (escaped, shortened), its value and a tooltip. Colours come from the dashboard's stylesheet.
struct BarChart {
    /// One bar.
    struct Bar {
        /// What the bar stands for (a path, a set title): any text, escaped when drawn.
        var label: String
        /// Its length; negative values are drawn as zero.
        var value: Double
        /// The value as printed beside the bar.
        var valueText: String
    }

    /// What the chart shows, for screen readers (`aria-label`).
    var title: String
    var bars: [Bar]

    static let width = 760
    static let labelWidth = 300
    static let barArea = 360
    static let rowHeight = 22

    /// The `<svg>` element.
    var svg: String {
        let height = bars.count * Self.rowHeight + 8
        let largest = bars.map(\.value).max() ?? 0
        var out =
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.width) \(height)\" "
            + "width=\"\(Self.width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        for (index, bar) in bars.enumerated() {
            let top = index * Self.rowHeight + 4
            let value = bar.value.isFinite ? max(bar.value, 0) : 0
            let length = largest > 0 ? max(1, Int((value / largest * Double(Self.barArea)).rounded())) : 1
            let label = HTML.escape(bar.label)
            let shown = HTML.escape(HTML.shortened(bar.label, to: 44))
            let valueText = HTML.escape(bar.valueText)
            out += "<g class=\"bar\" data-label=\"\(label)\" data-value=\"\(valueText)\"><title>\(label): \(valueText)</title>"
            out += "<text class=\"label\" x=\"\(Self.labelWidth - 8)\" y=\"\(top + 15)\" text-anchor=\"end\">\(shown)</text>"
            out += "<rect x=\"\(Self.labelWidth)\" y=\"\(top + 3)\" width=\"\(length)\" height=\"16\"></rect>"
            out += "<text class=\"value\" x=\"\(Self.labelWidth + length + 6)\" y=\"\(top + 15)\">\(valueText)</text></g>"
        }
        return out + "</svg>"
    }
}
