using System.Globalization;
using System.Text;
using System.Text.Json;
using DiMml.Torch.Training;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using Spectre.Console;

namespace DiMml.Cli;

/// <summary>Writes a comparison as a console table, Markdown, JSON and SVG plots.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly string[] FixedColumns = ["method", "accuracy", "macro-F1"];

    public static Table Table(IReadOnlyList<MethodResult> results, IReadOnlyList<string> modalities)
    {
        var table = new Table().AddColumn("method").AddColumn("accuracy").AddColumn("macro-F1");
        foreach (var m in modalities)
        {
            table.AddColumn(Markup.Escape($"{m} acc"));
        }

        table.AddColumn("train s");
        foreach (var row in Rows(results, modalities))
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    public static void Write(
        string folder, IReadOnlyList<MethodResult> results, IReadOnlyList<MethodResult> runs, IReadOnlyList<string> modalities,
            Budget budget, IReadOnlyList<int> seeds)
    {
        File.WriteAllText(Path.Combine(folder, "comparison.md"), Markdown(results, modalities, budget, seeds));
        File.WriteAllText(Path.Combine(folder, "comparison.json"), JsonSerializer.Serialize(new
        {
            budget,
            seeds,
            modalities,
            results = results.Select(r => new
            {
                r.Method,
                r.Accuracy,
                r.AccuracySpread,
                r.MacroF1,
                r.ModalityAccuracy,
                r.TrainSeconds,
                epochs = r.History.Select(h =>
                    new { stage = h.Stage.ToString(), epoch = h.Epoch, h.Losses, h.TrainAccuracy, seconds = h.Elapsed.TotalSeconds }),
            }),
            runs = runs.Select(r => new { r.Method, r.Accuracy, r.MacroF1, r.ModalityAccuracy, r.TrainSeconds }),
        }, Indented));
        Export(AccuracyPlot(results), Path.Combine(folder, "accuracy.svg"));
        Export(CurvesPlot(results), Path.Combine(folder, "training-curves.svg"));
    }

    private static string Markdown(IReadOnlyList<MethodResult> results, IReadOnlyList<string> modalities, Budget budget,
        IReadOnlyList<int> seeds)
    {
        var text = new StringBuilder();
        var over = seeds.Count > 1 ? $"; mean over seeds {string.Join(", ", seeds)} (accuracy ± sample standard deviation)" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"Test results; budget: {budget with { Seed = seeds[0] }}{over}.").AppendLine();
        var header = FixedColumns.Concat(modalities.Select(m => $"{m} acc")).Append("train s").ToArray();
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in Rows(results, modalities))
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        text.AppendLine().AppendLine("Per-modality accuracy: each modality's head on the test rows; for joint training a linear probe on " +
            "that frozen encoder, scored on the test rows.");
        return text.ToString();
    }

    private static IEnumerable<string[]> Rows(IReadOnlyList<MethodResult> results, IReadOnlyList<string> modalities) =>
        results.Select(r =>
            new[] { r.Method, Percent(r.Accuracy) + (r.Seeds > 1 ? $" ± {100 * r.AccuracySpread:F1}" : ""), Percent(r.MacroF1) }
            .Concat(modalities.Select(m => r.ModalityAccuracy.TryGetValue(m, out var a) ? Percent(a) : "-"))
            .Append(r.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture))
            .ToArray());

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + " %";

    private static PlotModel AccuracyPlot(IReadOnlyList<MethodResult> results)
    {
        var plot = new PlotModel
        {
            Title = "Test accuracy per method",
            PlotMargins = new OxyThickness(170, double.NaN, 30, double.NaN),
            Padding = new OxyThickness(10, 20, 10, 10)
        };
        plot.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, ItemsSource = results.Select(r => r.Method).ToArray() });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 100, Title = "accuracy (%)" });
        var bars = new BarSeries { LabelFormatString = "{0:F1}" };
        bars.Items.AddRange(results.Select(r => new BarItem(100 * r.Accuracy)));
        plot.Series.Add(bars);
        return plot;
    }

    // Training accuracy per epoch of each method's modality heads (the mean over modality heads for DI-MML, the fused head for joint).
    private static PlotModel CurvesPlot(IReadOnlyList<MethodResult> results)
    {
        var plot = new PlotModel
        {
            Title = "Training accuracy per epoch (modality heads; DI-MML: mean of the modality heads)",
            Padding = new OxyThickness(10, 20, 10, 10)
        };
        plot.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendItemSpacing = 24
        });
        plot.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "epoch",
            Minimum = 1,
            MajorStep = 1,
            MinorStep = 1,
            StringFormat = "0"
        });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "training accuracy (%)", AxisTitleDistance = 10 });
        foreach (var result in results.Where(r => r.History.Count > 0))
        {
            var series = new LineSeries { Title = result.Method, Color = Palette[plot.Series.Count % Palette.Length], StrokeThickness = 2 };
            foreach (var record in result.History.Where(h => h.Stage != TrainingStage.Fusion))
            {
                var heads = record.TrainAccuracy.Where(p => !p.Key.StartsWith(TermNames.SharedPrefix, StringComparison.Ordinal))
                    .Select(p => p.Value).ToArray();
                series.Points.Add(new DataPoint(record.Epoch + 1, 100 * heads.Average()));
            }

            plot.Series.Add(series);
        }

        return plot;
    }

    private static readonly OxyColor[] Palette =
    [
        OxyColors.SteelBlue, OxyColors.DarkOrange, OxyColors.ForestGreen, OxyColors.Crimson,
        OxyColors.MediumPurple, OxyColors.SaddleBrown, OxyColors.HotPink, OxyColors.Gray,
    ];

    private static void Export(PlotModel plot, string path)
    {
        using var file = File.Create(path);
        new SvgExporter { Width = 960, Height = 540, UseVerticalTextAlignmentWorkaround = true }.Export(plot, file);
    }
}
