import Foundation

/// The report as one self-contained HTML page (no scripts, no external files): the summary,
/// the result and final-code tables, and SVG charts of the rates, the answer latency and the
/// calls up, second by second.
public enum HTMLReport {
    public static func render(_ report: LoadReport) -> String {
        let seconds = report.timeline.map { Double($0.second) }
        let rates = LineChart(title: "Calls per second", unit: "calls/s", x: seconds, series: [
            .init(name: "offered", color: "#888888", values: report.timeline.map { Double($0.offered) }),
            .init(name: "answered", color: "#2a7de1", values: report.timeline.map { Double($0.answered) }),
            .init(name: "failed", color: "#d9534f", values: report.timeline.map { Double($0.failed) }),
        ])
        let latency = LineChart(title: "INVITE to 200 latency (calls sent in each second)", unit: "ms", x: seconds, series: [
            .init(name: "p50", color: "#2a7de1", values: report.timeline.map { $0.answerP50Ms ?? .nan }),
            .init(name: "p99", color: "#e08a1e", values: report.timeline.map { $0.answerP99Ms ?? .nan }),
        ])
        let active = LineChart(title: "Calls up", unit: "calls", x: seconds, series: [
            .init(name: "active", color: "#5cb85c", values: report.timeline.map { Double($0.active) }),
        ])
        let p = report.plan
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>sipdial load test \(escape(p.target))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:960px}
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
        th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}svg{margin:1em 0;background:#fff}
        </style></head><body>
        <h1>sipdial load test</h1>
        <p>\(escape(p.mode)) against <b>\(escape(p.target))</b> over \(escape(p.transport)), started \(escape(report.startedAt)):
        \(format(p.cps)) calls/s offered, \(p.calls) calls, hold \(format(p.holdSeconds)) s\(p.media ? ", with media" : ", signaling only")\(p.maxConcurrent.map { ", at most \($0) up" } ?? "").</p>
        """
        html += table(["", "value"], [
            ["offered calls", "\(report.offered)"], ["placed calls", "\(report.placed)"],
            ["offered cps", format(report.offeredCps)], ["achieved cps (answered)", format(report.achievedCps)],
            ["success ratio", String(format: "%.2f %%", report.successRatio * 100)], ["unfinished at the end", "\(report.unfinished)"],
            ["generator CPU", String(format: "%.2f s (%.1f %% of one core)", report.generator.cpuSeconds, report.generator.cpuPercent)],
            ["generator peak memory", String(format: "%.1f MB", report.generator.maxResidentMB)],
        ])
        html += "<h2>Results</h2>" + table(["result", "calls"], CallSample.Result.allCases.map { [$0.rawValue, "\(report.results[$0.rawValue] ?? 0)"] })
        html += "<h2>Final SIP codes</h2>" + table(["code", "calls"], report.finalCodes.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
        html += "<h2>Latency (ms)</h2>" + table(["", "count", "p50", "p90", "p99", "max", "mean"], [
            latencyRow("INVITE → first 1xx", report.firstResponseMs), latencyRow("INVITE → 200", report.answerMs),
            latencyRow("|call duration − hold|", report.duration.absoluteErrorMs),
        ])
        if report.rtp.calls > 0 {
            let r = report.rtp
            html += "<h2>RTP</h2>" + table(["calls", "sent", "received", "lost", "loss", "jitter mean", "jitter max"], [[
                "\(r.calls)", "\(r.packetsSent)", "\(r.packetsReceived)", "\(r.packetsLost)", String(format: "%.3f %%", r.lossRatio * 100),
                String(format: "%.2f ms", r.jitterMeanMs), String(format: "%.2f ms", r.jitterMaxMs),
            ]])
        }
        html += "<h2>Over time</h2>" + rates.svg + latency.svg + active.svg
        html += "</body></html>\n"
        return html
    }

    private static func latencyRow(_ name: String, _ l: LoadReport.Latency) -> [String] {
        [name, "\(l.count)", format(l.p50), format(l.p90), format(l.p99), format(l.max), format(l.mean)]
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A line chart as inline SVG: one polyline per series (NaN values leave a gap), axes with
/// the maximum marked, and a legend.
struct LineChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    var title: String
    var unit: String
    var x: [Double]
    var series: [Series]

    private let width = 900.0, height = 260.0, left = 60.0, right = 20.0, top = 30.0, bottom = 40.0

    var svg: String {
        let xMax = max(x.max() ?? 1, 1)
        let yMax = max(series.flatMap { $0.values.filter { !$0.isNaN } }.max() ?? 1, 1) * 1.1
        func px(_ v: Double) -> Double { left + v / xMax * (width - left - right) }
        func py(_ v: Double) -> Double { height - bottom - v / yMax * (height - top - bottom) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape(title))\">"
        out += "<text x=\"\(left)\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(HTMLReport.escape(title))</text>"
        out += "<line x1=\"\(left)\" y1=\"\(py(0))\" x2=\"\(width - right)\" y2=\"\(py(0))\" stroke=\"#444\"/>"
        out += "<line x1=\"\(left)\" y1=\"\(py(0))\" x2=\"\(left)\" y2=\"\(top)\" stroke=\"#444\"/>"
        for tick in 0...4 {
            let v = yMax / 1.1 * Double(tick) / 4
            out += "<text x=\"\(left - 6)\" y=\"\(py(v) + 4)\" font-size=\"11\" text-anchor=\"end\">\(HTMLReport.format((v * 10).rounded() / 10))</text>"
            out += "<line x1=\"\(left)\" y1=\"\(py(v))\" x2=\"\(width - right)\" y2=\"\(py(v))\" stroke=\"#eee\"/>"
        }
        out += "<text x=\"\(width - right)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"end\">seconds (0–\(HTMLReport.format(xMax)))</text>"
        out += "<text x=\"12\" y=\"\(top - 4)\" font-size=\"11\">\(HTMLReport.escape(unit))</text>"
        for (n, s) in series.enumerated() {
            var segments: [[String]] = [[]]
            for (i, v) in s.values.enumerated() where i < x.count {
                if v.isNaN { segments.append([]); continue }
                segments[segments.count - 1].append(String(format: "%.1f,%.1f", px(x[i]), py(v)))
            }
            for points in segments where !points.isEmpty {
                out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
            }
            let lx = left + 10 + Double(n) * 120
            out += "<rect x=\"\(lx)\" y=\"\(height - 18)\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
            out += "<text x=\"\(lx + 14)\" y=\"\(height - 9)\" font-size=\"11\">\(HTMLReport.escape(s.name))</text>"
        }
        return out + "</svg>\n"
    }
}
