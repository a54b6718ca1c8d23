using System.Collections.Concurrent;
using System.Diagnostics;
using DiMml.MLNet.Data;
using Microsoft.ML;
using Spectre.Console;

namespace DiMml.Cli;

/// <summary><c>dimml compare</c>: every method on the same data, seed and budget, evaluated on the same test rows.</summary>
internal static class Comparison
{
    public static int Run(CommandLine line)
    {
        var ml = new MLContext(seed: 0);
        var budget = Budget.From(line);
        var separator = Separator(line);
        var (data, train, test) = Load(ml, line, separator);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var trainKeyed = keys.Transform(train);
        var testKeyed = keys.Transform(test);
        var output = Directory.CreateDirectory(line.Required("--out")).FullName;
        var modalities = string.Join(", ", data.Modalities.Select(m => $"{m.Name}[{m.Indices.Length}]"));
        AnsiConsole.MarkupLine($"[bold]dimml compare[/]: {InputSchema.RowCount(train)} training and {InputSchema.RowCount(test)} test " +
            "rows, " +
            $"modalities {Markup.Escape(modalities)}; {Markup.Escape(budget.ToString())}");

        var seeds = Seeds(line, budget.Seed);
        var runs = new List<MethodResult>();
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                foreach (var seed in seeds)
                {
                    runs.AddRange(RunSeed(ml, line, data, budget with { Seed = seed }, seeds.Length > 1, trainKeyed, testKeyed, keys,
                        output, progress));
                }
            });

        var results = runs.GroupBy(r => r.Method).Select(g => MethodResult.Mean(g.ToArray())).ToArray();
        ReportWriter.Write(output, results, runs, data.Modalities.Select(m => m.Name).ToArray(), budget, seeds);
        AnsiConsole.Write(ReportWriter.Table(results, data.Modalities.Select(m => m.Name).ToArray()));
        foreach (var choice in ReportWriter.FusionChoiceTables(runs))
        {
            AnsiConsole.Write(choice);
        }

        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(Path.Combine(output, "comparison.md"))}[/], comparison.json, accuracy.svg " +
            $"and training-curves.svg.");
        return 0;
    }

    // Every selected method once with this seed, each with a progress bar of its epochs.
    private static List<MethodResult> RunSeed(
        MLContext ml, CommandLine line, DelimitedData data, Budget budget, bool label, IDataView train, IDataView test, ITransformer keys,
            string output, ProgressContext progress)
    {
        var histories = new ConcurrentDictionary<string, List<EpochRecord>>();
        var tasks = new Dictionary<string, ProgressTask>();
        var methods = Selected(line, Methods.All(ml, data, budget, test, (method, record) =>
        {
            histories.GetOrAdd(method, _ => []).Add(record);
            tasks[method].Increment(1);
        }));
        foreach (var method in methods)
        {
            var epochs = method.Name.StartsWith("dimml", StringComparison.Ordinal) ? budget.Epochs + budget.FusionEpochs : budget.Epochs;
            var name = label ? $"{method.Name} (seed {budget.Seed})" : method.Name;
            tasks[method.Name] = progress.AddTask(Markup.Escape(name), autoStart: false, maxValue: method.Name == "lightgbm" ? 1 : epochs);
        }

        var results = new List<MethodResult>();
        foreach (var method in methods)
        {
            var task = tasks[method.Name].IsIndeterminate(method.Name == "lightgbm");
            task.StartTask();
            var suffix = label ? $"-seed{budget.Seed}" : "";
            results.Add(Evaluate(ml, method, (train, test, keys), budget.Seed, histories, output,
                line.Flag("--save-models") ? suffix : null));
            task.Value = task.MaxValue;
            task.StopTask();
        }

        return results;
    }

    private static int[] Seeds(CommandLine line, int single) => line.Optional("--seeds") is { } list
        ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out var seed) && seed >= 0 ? seed : throw new CommandLineException($"--seeds takes non-negative " +
                $"integers, got '{s}'."))
            .Distinct().ToArray()
        : [single];

    // saveSuffix: null = do not save; otherwise appended to the model file name.
    private static MethodResult Evaluate(
        MLContext ml, Method method, (IDataView Train, IDataView Test, ITransformer Keys) data, int seed,
            ConcurrentDictionary<string, List<EpochRecord>> histories, string output, string? saveSuffix)
    {
        var (train, test, keys) = data;
        var watch = Stopwatch.StartNew();
        var model = method.Estimator().Fit(train);
        var diagnostics = (model as DiMmlTransformer)?.Diagnostics;
        // Scoring the candidates on the test rows is the comparison's work, not training.
        var seconds = (watch.Elapsed - (diagnostics?.FusionEvaluationTime ?? TimeSpan.Zero)).TotalSeconds;
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var f1 = metrics.ConfusionMatrix.PerClassPrecision.Zip(metrics.ConfusionMatrix.PerClassRecall, (p, r) =>
            p + r > 0 ? 2 * p * r / (p + r) : 0).Average();
        if (saveSuffix is not null)
        {
            ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(keys, model), train.Schema,
                Path.Combine(output, $"{method.Name.Replace(':', '-')}{saveSuffix}.zip"));
        }

        var result = new MethodResult(method.Name, metrics.MicroAccuracy, f1, method.ModalityAccuracy(model, scored), seconds,
            histories.GetValueOrDefault(method.Name) ?? [])
        {
            Seed = seed,
            FusionChoice = diagnostics is { FusionChoice: { } chosen, FusionComparisons.Count: > 0 } d   // chosen, not asked for
                ? new FusionChoiceResult(chosen, d.FusionCandidateAccuracy, d.FusionCandidateEvaluationAccuracy, d.RefittedOnAllRows)
                : null,
        };
        (model as IDisposable)?.Dispose();
        return result;
    }

    // --methods a,b,c keeps those methods, in the standard order.
    private static IReadOnlyList<Method> Selected(CommandLine line, IReadOnlyList<Method> methods)
    {
        if (line.Optional("--methods") is not { } list)
        {
            return methods;
        }

        var wanted = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = wanted.Except(methods.Select(m => m.Name)).ToArray();
        return unknown.Length == 0
            ? methods.Where(m => wanted.Contains(m.Name)).ToArray()
            : throw new CommandLineException($"Unknown method(s) {string.Join(", ", unknown)}; methods: " +
                $"{string.Join(", ", methods.Select(m => m.Name))}.");
    }

    internal static (DelimitedData Data, IDataView Train, IDataView Test) Load(MLContext ml, CommandLine line, char separator)
    {
        var label = line.Required("--label");
        if (line.Optional("--data") is { } single)
        {
            var fraction = line.Double("--split");
            var data = new DelimitedData(ml, single, separator, label, line.Modalities);
            var split = ml.Data.TrainTestSplit(data.Load(single), fraction, seed: line.Int("--seed"));
            return (data, split.TrainSet, split.TestSet);
        }

        var trainPath = line.Required("--train");
        var loaded = new DelimitedData(ml, trainPath, separator, label, line.Modalities);
        return (loaded, loaded.Load(trainPath), loaded.Load(line.Required("--test")));
    }

    internal static char Separator(CommandLine line) => line.Optional("--separator") switch
    {
        "tab" or "\\t" => '\t',
        { Length: 1 } s => s[0],
        var s => throw new CommandLineException($"--separator takes one character (or 'tab'), got '{s}'."),
    };

}
