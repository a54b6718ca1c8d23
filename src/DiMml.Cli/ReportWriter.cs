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
        File.WriteAllText(Path.Combine(folder, "comparison.md"), Markdown(results, runs, modalities, budget, seeds));
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
            runs = runs.Select(r => new { r.Method, r.Seed, r.Accuracy, r.MacroF1, r.ModalityAccuracy, r.TrainSeconds, r.FusionChoice }),
        }, Indented));
        Export(AccuracyPlot(results), Path.Combine(folder, "accuracy.svg"));
        Export(CurvesPlot(results), Path.Combine(folder, "training-curves.svg"));
    }

    /// <summary>Per DI-MML method that chose its fusion on held-out rows, a table: one row per candidate, one column per seed,
    /// each cell the candidate's held-out accuracy (cross-fitted) / test accuracy, the chosen one starred; a last row says whether
    /// the model was refitted on all rows.</summary>
    public static IEnumerable<(string Method, string[] Header, string[][] Rows)> FusionChoices(IReadOnlyList<MethodResult> runs) =>
        runs.Where(r => r.FusionChoice is not null).GroupBy(r => r.Method).Select(g =>
        {
            var seeds = g.ToArray();
            var candidates = seeds[0].FusionChoice!.HeldOut.Keys.ToArray();
            string Cell(FusionChoiceResult choice, string name) =>
                (choice.HeldOut.TryGetValue(name, out var held) ? Percent(held) : "-") + " / " +
                    (choice.Test.TryGetValue(name, out var test) ? Percent(test) : "-") + (choice.Chosen == name ? " *" : "");
            var rows = candidates.Select(c => seeds.Select(r => Cell(r.FusionChoice!, c)).Prepend(c).ToArray())
                .Append(seeds.Select(r => r.FusionChoice!.Refitted ? "yes" : "no").Prepend("refitted on all rows").ToArray());
            return (g.Key, seeds.Select(r => $"seed {r.Seed}").Prepend("candidate").ToArray(), rows.ToArray());
        });

    /// <summary><see cref="FusionChoices"/> as console tables.</summary>
    public static IEnumerable<Table> FusionChoiceTables(IReadOnlyList<MethodResult> runs) => FusionChoices(runs).Select(choice =>
    {
        var table = new Table().Title(Markup.Escape($"{choice.Method}: fusion candidates, held-out / test accuracy (* chosen)"));
        foreach (var column in choice.Header)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in choice.Rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    });

    private static string Markdown(IReadOnlyList<MethodResult> results, IReadOnlyList<MethodResult> runs, IReadOnlyList<string> modalities,
        Budget budget, IReadOnlyList<int> seeds)
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
        foreach (var (method, columns, rows) in FusionChoices(runs))
        {
            text.AppendLine().Append(method).AppendLine(": the fusion choice per seed, each candidate's accuracy on the held-out rows " +
                "(cross-fitted) / on the test rows as the trained model scores with it; * the chosen one. After a refit, a fitted " +
                "candidate's (calibrated, per-class, stacked) test figure uses what it fitted on the held-out model.").AppendLine();
            text.AppendLine("| " + string.Join(" | ", columns) + " |");
            text.AppendLine("|" + string.Concat(columns.Select(_ => " --- |")));
            foreach (var row in rows)
            {
                text.AppendLine("| " + string.Join(" | ", row) + " |");
            }
        }

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
