using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace OrchardShopify.Bench.Report;

/// <summary>One bar of a bar chart: its row label, its length, the figure written after it and its legend entry.</summary>
internal sealed record Bar(string Label, double Value, string ValueText, Color Color, string Legend);

/// <summary>One line of a line chart, with its legend entry.</summary>
internal sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, Color Color, bool Dashed = false);

/// <summary>A target drawn across a bar chart as a dashed red line, with its legend entry.</summary>
internal sealed record Target(double Value, string Label);

/// <summary>Horizontal bar charts and line charts, drawn with ScottPlot and saved as PNG files.</summary>
internal static class Charts
{
    public static readonly Color Blue = Color.FromHex("#3465A4");
    public static readonly Color Orange = Color.FromHex("#E67E22");
    public static readonly Color Green = Color.FromHex("#2E8B57");
    public static readonly Color Grey = Color.FromHex("#8C8C8C");
    public static readonly Color Purple = Color.FromHex("#8050A0");
    public static readonly Color Red = Color.FromHex("#C82828");

    private const int Width = 1000;
    private const float FontSize = 15;

    /// <summary>
    /// A sans-serif family installed on the machine, else any installed family: SkiaSharp's Linux library finds font files
    /// under /usr/share/fonts, and without one the charts would have no text.
    /// </summary>
    private static readonly Lazy<string> FontFamily = new(() =>
    {
        var installed = SKFontManager.Default.FontFamilies;
        return new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }.FirstOrDefault(installed.Contains)
            ?? installed.FirstOrDefault()
            ?? throw new InvalidOperationException("No font is installed, so the charts would have no text: install one (on Debian: apt-get install fonts-dejavu-core).");
    });

    /// <summary>
    /// One bar per row, top to bottom in the given order, labels on the left and each bar's figure after it; an optional
    /// target drawn as a dashed red line. The legend names each bar colour and the target.
    /// </summary>
    public static void Bars(string path, string title, string axis, IReadOnlyList<Bar> bars, Target? target = null)
    {
        var plot = NewPlot(title, axis);
        var positions = Enumerable.Range(0, bars.Count).Select(i => (double)(bars.Count - 1 - i)).ToArray();
        var plottable = plot.Add.Bars(bars.Select((bar, i) => new ScottPlot.Bar
        {
            Position = positions[i],
            Value = Math.Max(0, bar.Value),
            FillColor = bar.Color,
            LineWidth = 0,
            Size = 0.7,
            Label = bar.ValueText,
        }).ToList());
        plottable.Horizontal = true;
        plottable.ValueLabelStyle.FontSize = FontSize;
        plot.Axes.Left.TickGenerator = new NumericManual(positions, [.. bars.Select(b => b.Label)]);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickLabelStyle.FontSize = FontSize;
        plot.Grid.YAxisStyle.IsVisible = false;

        var legend = bars.DistinctBy(b => b.Legend).Select(b => new LegendItem { LabelText = b.Legend, FillColor = b.Color }).ToList();
        var max = bars.Max(b => b.Value);
        if (target is { } goal)
        {
            plot.Add.VerticalLine(goal.Value, 2, Red, LinePattern.Dashed);
            legend.Add(new LegendItem { LabelText = goal.Label, LineColor = Red, LineWidth = 2, LinePattern = LinePattern.Dashed });
            max = Math.Max(max, goal.Value);
        }

        // Room on the right for the figure written after the longest bar.
        plot.Axes.SetLimitsX(0, max <= 0 ? 1 : max * 1.3);
        plot.Axes.SetLimitsY(-0.6, bars.Count - 0.4);
        plot.Legend.ManualItems.AddRange(legend);
        Save(plot, path, 190 + (bars.Count * 60) + (legend.Count * 12));
    }

    /// <summary>Lines over a shared x axis starting at zero, with a legend under the plot.</summary>
    public static void Lines(string path, string title, string xAxis, string yAxis, IReadOnlyList<Series> series)
    {
        var plot = NewPlot(title, xAxis);
        plot.YLabel(yAxis, FontSize + 1);
        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = Figure };
        plot.Axes.Left.TickLabelStyle.FontSize = FontSize;
        foreach (var s in series)
        {
            var scatter = plot.Add.ScatterLine(s.Points.Select(p => p.X).ToArray(), s.Points.Select(p => p.Y).ToArray(), s.Color);
            scatter.LineWidth = 2.5f;
            scatter.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            scatter.LegendText = s.Label;
        }

        var points = series.SelectMany(s => s.Points).ToList();
        plot.Axes.SetLimits(0, Math.Max(points.Max(p => p.X), 1e-9) * 1.02, 0, Math.Max(points.Max(p => p.Y), 1e-9) * 1.08);
        Save(plot, path, 560);
    }

    private static Plot NewPlot(string title, string xAxis)
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily.Value);
        plot.Title(title, FontSize + 4);
        plot.XLabel(xAxis, FontSize + 1);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { LabelFormatter = Figure };
        plot.Axes.Bottom.TickLabelStyle.FontSize = FontSize;
        return plot;
    }

    /// <summary>The legend under the plot, then the PNG file.</summary>
    private static void Save(Plot plot, string path, int height)
    {
        plot.Legend.FontSize = FontSize;
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, height);
    }

    /// <summary>12000 as 12,000; 0.5 as 0.5.</summary>
    private static string Figure(double value) => value.ToString(Math.Abs(value) >= 1000 ? "N0" : "0.##", CultureInfo.InvariantCulture);
}
