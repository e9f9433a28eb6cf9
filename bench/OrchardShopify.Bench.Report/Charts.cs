using System.Globalization;

namespace OrchardShopify.Bench.Report;

internal sealed record Bar(string Label, double Value, string ValueText, Rgb Color);

internal sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, Rgb Color, bool Dashed = false);

/// <summary>Horizontal bar charts and line charts drawn on a <see cref="Canvas"/>.</summary>
internal static class Charts
{
    public static readonly Rgb Blue = new(52, 101, 164);
    public static readonly Rgb Orange = new(230, 126, 34);
    public static readonly Rgb Green = new(46, 139, 87);
    public static readonly Rgb Grey = new(140, 140, 140);
    public static readonly Rgb Purple = new(128, 80, 160);

    private const int Scale = 2;
    private const int LineHeight = 7 * Scale;

    /// <summary>One bar per row, labels on the left, the value after each bar; an optional target drawn as a dashed red line.</summary>
    public static void Bars(string path, string title, string axis, IReadOnlyList<Bar> bars, (double Value, string Label)? target = null)
    {
        var labelWidth = bars.Max(b => Canvas.TextWidth(b.Label, Scale)) + 20;
        const int barHeight = 34, gap = 14, top = 60, plotWidth = 560, right = 230;
        var width = labelWidth + plotWidth + right;
        var height = top + (bars.Count * (barHeight + gap)) + 70;
        var canvas = new Canvas(width, height);
        canvas.Text(16, 16, title, Rgb.Black);

        var max = Math.Max(bars.Max(b => b.Value), target?.Value ?? 0) * 1.08;
        max = max <= 0 ? 1 : max;
        var tick = NiceStep(max / 5);
        var x0 = labelWidth;
        var bottom = top + (bars.Count * (barHeight + gap));
        for (var t = 0d; t <= max; t += tick)
        {
            var x = x0 + (int)(t / max * plotWidth);
            canvas.Line(x, top - 6, x, bottom, Rgb.Grid);
            var label = Compact(t);
            canvas.Text(x - (Canvas.TextWidth(label, Scale) / 2), bottom + 8, label, Rgb.Axis);
        }

        canvas.Line(x0, top - 6, x0, bottom, Rgb.Axis, 2);
        canvas.Text(x0 + (plotWidth / 2) - (Canvas.TextWidth(axis, Scale) / 2), bottom + 34, axis, Rgb.Black);
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = top + (i * (barHeight + gap));
            var length = (int)(Math.Max(0, bar.Value) / max * plotWidth);
            canvas.Fill(x0, y, Math.Max(length, 1), barHeight, bar.Color);
            canvas.Text(x0 - 10 - Canvas.TextWidth(bar.Label, Scale), y + ((barHeight - LineHeight) / 2), bar.Label, Rgb.Black);
            canvas.Text(x0 + length + 8, y + ((barHeight - LineHeight) / 2), bar.ValueText, Rgb.Black);
        }

        if (target is { } goal)
        {
            var x = x0 + (int)(goal.Value / max * plotWidth);
            canvas.Line(x, top - 10, x, bottom, Rgb.Red, 2, dash: 6);
            canvas.Text(Math.Min(x + 6, width - Canvas.TextWidth(goal.Label, Scale) - 4), top - 26, goal.Label, Rgb.Red);
        }

        canvas.Save(path);
    }

    /// <summary>Lines over a shared x axis, with a legend under the plot.</summary>
    public static void Lines(string path, string title, string xAxis, string yAxis, IReadOnlyList<Series> series)
    {
        const int width = 980, height = 560, left = 110, right = 30, top = 56, bottomMargin = 120;
        var canvas = new Canvas(width, height);
        canvas.Text(16, 16, title, Rgb.Black);
        var points = series.SelectMany(s => s.Points).ToList();
        var maxX = Math.Max(points.Max(p => p.X), 1e-9);
        var maxY = Math.Max(points.Max(p => p.Y), 1e-9) * 1.05;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottomMargin;
        var bottom = top + plotHeight;

        var yTick = NiceStep(maxY / 5);
        for (var t = 0d; t <= maxY; t += yTick)
        {
            var y = bottom - (int)(t / maxY * plotHeight);
            canvas.Line(left, y, left + plotWidth, y, Rgb.Grid);
            var label = Compact(t);
            canvas.Text(left - 10 - Canvas.TextWidth(label, Scale), y - (LineHeight / 2), label, Rgb.Axis);
        }

        var xTick = NiceStep(maxX / 8);
        for (var t = 0d; t <= maxX; t += xTick)
        {
            var x = left + (int)(t / maxX * plotWidth);
            canvas.Line(x, top, x, bottom, Rgb.Grid);
            var label = Compact(t);
            canvas.Text(x - (Canvas.TextWidth(label, Scale) / 2), bottom + 8, label, Rgb.Axis);
        }

        canvas.Line(left, top, left, bottom, Rgb.Axis, 2);
        canvas.Line(left, bottom, left + plotWidth, bottom, Rgb.Axis, 2);
        canvas.Text(left + (plotWidth / 2) - (Canvas.TextWidth(xAxis, Scale) / 2), bottom + 32, xAxis, Rgb.Black);
        canvas.TextUp(12, top + (plotHeight / 2) - (Canvas.TextWidth(yAxis, Scale) / 2), yAxis, Rgb.Black);

        foreach (var s in series)
        {
            (int X, int Y)? previous = null;
            foreach (var (px, py) in s.Points)
            {
                var point = (X: left + (int)(px / maxX * plotWidth), Y: bottom - (int)(py / maxY * plotHeight));
                if (previous is { } p)
                {
                    canvas.Line(p.X, p.Y, point.X, point.Y, s.Color, 3, s.Dashed ? 8 : 0);
                }

                previous = point;
            }
        }

        var legendX = left;
        foreach (var s in series)
        {
            canvas.Fill(legendX, bottom + 66, 26, 6, s.Color);
            canvas.Text(legendX + 34, bottom + 62, s.Label, Rgb.Black);
            legendX += 34 + Canvas.TextWidth(s.Label, Scale) + 30;
        }

        canvas.Save(path);
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    /// <summary>12,000 as 12K, 0.5 as 0.5.</summary>
    private static string Compact(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "K",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
