using System.Diagnostics;
using System.Globalization;
using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;

namespace DiMml.Benchmarks;

/// <summary>
/// The fusion suite: on each task, each branch, joint training, the paper's DI-MML (all rows), the default DI-MML (fusion chosen
/// on held-out rows) with every candidate's test accuracy, and the default refitted on all rows; mean over seeds, with the
/// bounds DECISIONS sets for the default checked per task.
/// </summary>
internal static class FusionSuite
{
    private static readonly string[] CandidateOrder =
        [FusionSelection.PaperName, FusionSelection.PaperT3Name, FusionSelection.FusionHeadName, FusionSelection.CalibratedName,
            FusionSelection.PerClassName, FusionSelection.StackedName];

    public static IEnumerable<string> Run(FusionSuiteSettings settings)
    {
        var lines = new List<string>
        {
            "## Fusion: the default against the paper's weighting and the best branch",
            "",
            string.Create(CultureInfo.InvariantCulture,
                $"Budget: {settings.Epochs} epochs, batch 32, lr 0.01, D = 128, MLP encoders (hidden 256), 5 fusion-head epochs; " +
                $"seeds {string.Join(", ", settings.Seeds)}; {MachineDescription.Cpu()}, CPU libtorch; {DateTime.UtcNow:yyyy-MM-dd}. " +
                $"Test accuracy (%), mean ± sample std over seeds. \"default\" is DI-MML with default options (fusion chosen on a " +
                $"held-out tenth of the training rows, refitted on all rows when the choice fitted nothing there); \"paper\" is the " +
                $"paper's certainty weighting trained on all rows; \"no refit\" and \"always refit\" set RefitOnAllRows to Never " +
                $"and Always. \"best branch\" is the better modality head of the no-refit model. Candidates are scored on the test " +
                $"rows from the no-refit model."),
            "",
        };
        var summary = new List<string>();
        foreach (var task in Tasks(settings))
        {
            var (section, row) = RunTask(task, settings);
            lines.AddRange(section);
            summary.Add(row);
        }

        lines.AddRange(
        [
            "### Summary: the default's bounds (DECISIONS: >= paper - 0.5 and >= best branch - 0.5; complementary: >= best branch + 2)",
            "",
            "| task | best branch | paper | default | default - paper | default - best branch | no refit | default - no refit | " +
                "always refit | always - no refit | bounds met |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            .. summary,
            "",
        ]);
        return lines;
    }

    /// <summary>The tasks the settings select (all when none are named).</summary>
    public static IEnumerable<FusionTask> Tasks(FusionSuiteSettings settings) =>
        FusionTasks.All(settings).Where(t => settings.Tasks is null || settings.Tasks.Contains(t.Name));

    private static (List<string> Section, string Summary) RunTask(FusionTask task, FusionSuiteSettings settings)
    {
        var results = new List<Dictionary<string, double>>();
        var choices = new List<string>();
        var ruleChoices = new List<string[]>();
        foreach (var seed in settings.Seeds)
        {
            var (train, test) = task.Load(seed);
            using (train)
            using (test)
            {
                var result = RunSeed(task, settings, seed, train, test, out var chosen, out var byRule);
                choices.Add(chosen);
                ruleChoices.Add(byRule);
                Console.WriteLine($"{task.Name} seed {seed}: " + string.Join(", ", result.Select(p => $"{p.Key} {p.Value:F4}")));
                results.Add(result);
            }
        }

        List<string> section = [.. Section(task, results, choices), .. RuleSection(task, settings.Seeds, results, ruleChoices)];
        return (section, SummaryRow(task, results));
    }

    private static Dictionary<string, double> RunSeed(FusionTask task, FusionSuiteSettings settings, int seed, MultimodalDataset train,
        MultimodalDataset test, out string chosen, out string[] ruleChoices)
    {
        ruleChoices = [];
        var result = new Dictionary<string, double>();
        using (var joint = new JointLearner(Options(new TrainerOptions(), task, settings.Epochs, seed)).Fit(train))
        {
            result["joint"] = joint.Evaluate(test).Accuracy;
        }

        var watch = Stopwatch.StartNew();
        using (var paper = new DiMmlLearner(Options(new DiMmlOptions { FusionEpochs = 5, Inference = InferenceFusion.CertaintyWeighting },
            task, settings.Epochs, seed)).Fit(train))
        {
            result["time:paper"] = watch.Elapsed.TotalSeconds;
            result["paper"] = paper.Evaluate(test).Accuracy;
        }

        watch.Restart();
        using (var model = new DiMmlLearner(Options(new DiMmlOptions { FusionEpochs = 5, RefitOnAllRows = RefitPolicy.Never }, task,
            settings.Epochs, seed)).Fit(train))
        {
            result["time:never"] = watch.Elapsed.TotalSeconds;
            var report = model.Evaluate(test);
            result["never"] = report.Accuracy;
            foreach (var view in task.Views)
            {
                result[view] = report.BranchAccuracy[view];
            }

            var selection = model.Selection!;
            var accuracy = model.FusedAccuracy(test, selection.Candidates.Select(c => c.Weighting).ToArray());
            foreach (var (candidate, i) in selection.Candidates.Select((c, i) => (c, i)))
            {
                result[$"test:{candidate.Name}"] = accuracy[i];
                result[$"held-out:{candidate.Name}"] = candidate.HeldOutAccuracy;
            }

            chosen = selection.Chosen.Name;
            var testBest = selection.Candidates.Max(c => result[$"test:{c.Name}"]);
            result["regret"] = testBest - result[$"test:{chosen}"];
        }

        foreach (var (key, policy) in new[] { ("default", TrainerDefaults.RefitOnAllRows), ("always", RefitPolicy.Always) })
        {
            watch.Restart();
            var options = Options(new DiMmlOptions { FusionEpochs = 5, RefitOnAllRows = policy }, task, settings.Epochs, seed);
            using var model = new DiMmlLearner(options).Fit(train);
            result[$"time:{key}"] = watch.Elapsed.TotalSeconds;
            result[key] = model.Evaluate(test).Accuracy;
            result[$"refitted:{key}"] = model.Selection!.RefittedOnAllRows ? 1 : 0;
            if (policy == RefitPolicy.Always)
            {
                ruleChoices = ScoreRules(model, test, result);
            }
        }

        return result;
    }

    // Each rule's choice from the same held-out outcomes, scored as the default would ship it: a fit-free choice on the model
    // refitted on all rows, a fitted one on the held-out model (test:{name}, recorded before).
    private static string[] ScoreRules(MultimodalModel refitted, MultimodalDataset test, Dictionary<string, double> result)
    {
        var selection = refitted.Selection!;
        var accuracy = refitted.FusedAccuracy(test, selection.Candidates.Select(c => c.Weighting).ToArray());
        for (var i = 0; i < accuracy.Count; i++)
        {
            result[$"refit-test:{selection.Candidates[i].Name}"] = accuracy[i];
        }

        return Rules.Select(rule =>
        {
            var chosen = selection.Candidates[rule.Choose(selection.Candidates, selection.Outcomes).Chosen];
            result[$"rule:{rule.Name}"] = result[(chosen.FittedOnHeldOutRows ? "test:" : "refit-test:") + chosen.Name];
            return chosen.Name;
        }).ToArray();
    }

    private static IEnumerable<string> RuleSection(FusionTask task, int[] seeds, List<Dictionary<string, double>> results,
        List<string[]> ruleChoices)
    {
        var names = results[0].Keys.Where(k => k.StartsWith("held-out:", StringComparison.Ordinal)).Select(k => k["held-out:".Length..])
            .ToArray();
        yield return "Per seed, each candidate's held-out accuracy (cross-fitted) / test accuracy of the held-out model / test accuracy " +
            "of the model refitted on all rows (%):";
        yield return "";
        yield return $"| seed | {string.Join(" | ", names)} |";
        yield return $"|{string.Concat(Enumerable.Repeat(" --- |", names.Length + 1))}";
        for (var s = 0; s < results.Count; s++)
        {
            var r = results[s];
            var cells = names.Select(n => FormattableString.Invariant(
                $"{r[$"held-out:{n}"] * 100:F1} / {r[$"test:{n}"] * 100:F1} / {r[$"refit-test:{n}"] * 100:F1}"));
            yield return $"| {seeds[s]} | {string.Join(" | ", cells)} |";
        }

        yield return "";
        yield return "Choice rules on the same held-out outcomes, each scored as shipped (a fit-free choice refitted on all rows), test " +
            "accuracy (%):";
        yield return "";
        yield return "| rule | mean | - paper | worst seed - paper | - best branch | chosen per seed |";
        yield return "| --- | --- | --- | --- | --- | --- |";
        for (var i = 0; i < Rules.Length; i++)
        {
            var rule = Rules[i];
            var values = results.Select(r => r[$"rule:{rule.Name}"] * 100).ToArray();
            var vsPaper = results.Select(r => (r[$"rule:{rule.Name}"] - r["paper"]) * 100).ToArray();
            var vsBest = results.Select(r => (r[$"rule:{rule.Name}"] - task.Views.Max(v => r[v])) * 100).ToArray();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {rule.Name} | {values.Average():F1} | {vsPaper.Average():+0.0;-0.0} | " +
                $"{vsPaper.Min():+0.0;-0.0} | {vsBest.Average():+0.0;-0.0} | {string.Join(", ", ruleChoices.Select(c => c[i]))} |");
        }

        yield return "";
    }

    internal static readonly FusionRule[] Rules =
    [
        FusionRule.Chain1,
        new("chain, 2 SE", true, 2, 2),
        new("vs paper, 1.645 SE", false, 1.645, 1.645),
        new("vs paper, 2 SE", false, 2, 2),
        FusionRule.Default,
        new("held-out best", false, 0, 0),
    ];

    private static List<string> Section(FusionTask task, List<Dictionary<string, double>> results, List<string> choices)
    {
        string Cell(string key) => MeanStd(results.Select(r => r[key] * 100).ToArray());
        string Seconds(string key) => results.Average(r => r[key]).ToString("F0", CultureInfo.InvariantCulture);
        string Ratio(string key, string over) => (results.Average(r => r[key]) / results.Average(r => r[over]))
            .ToString("F2", CultureInfo.InvariantCulture) + "x";
        var best = results.Select(r => task.Views.Max(v => r[v]) * 100).ToArray();
        var candidates = CandidateOrder.Where(c => results[0].ContainsKey($"test:{c}")).ToArray();
        var disagreements = results.Count(r => r["regret"] > 0);
        return
        [
            $"### {task.Name}: {task.Description}",
            "",
            $"| {string.Join(" | ", task.Views.Select(v => $"{v} branch"))} | best branch | joint | paper | default | " +
                "default - best branch | default - paper | no refit | always refit | seconds: paper / no refit / default / always | " +
                "default / paper time |",
            $"|{string.Concat(Enumerable.Repeat(" --- |", task.Views.Length + 10))}",
            $"| {string.Join(" | ", task.Views.Select(Cell))} | {MeanStd(best)} | {Cell("joint")} | {Cell("paper")} | " +
                $"{Cell("default")} | {MeanStd(results.Select((r, i) => r["default"] * 100 - best[i]).ToArray())} | " +
                $"{MeanStd(results.Select(r => (r["default"] - r["paper"]) * 100).ToArray())} | {Cell("never")} | {Cell("always")} | " +
                $"{Seconds("time:paper")} / {Seconds("time:never")} / {Seconds("time:default")} / {Seconds("time:always")} | " +
                $"{Ratio("time:default", "time:paper")} |",
            "",
            "Candidates of the no-refit model, test accuracy (held-out accuracy, cross-fitted):",
            "",
            $"| {string.Join(" | ", candidates)} |",
            $"|{string.Concat(Enumerable.Repeat(" --- |", candidates.Length))}",
            $"| {string.Join(" | ", candidates.Select(c => $"{Cell($"test:{c}")} ({Cell($"held-out:{c}")})"))} |",
            "",
            string.Create(CultureInfo.InvariantCulture, $"Chosen per seed: {string.Join(", ", choices)}; the default refitted on " +
                $"{results.Count(r => r["refitted:default"] > 0)} of {results.Count} seeds. The choice differed from the test-best " +
                $"candidate on {disagreements} of {results.Count} seeds (mean regret " +
                $"{results.Average(r => r["regret"]) * 100:F2} points)."),
            "",
        ];
    }

    private static string SummaryRow(FusionTask task, List<Dictionary<string, double>> results)
    {
        double Mean(Func<Dictionary<string, double>, double> value) => results.Average(value) * 100;
        var best = Mean(r => task.Views.Max(v => r[v]));
        var (paper, fused, never, always) = (Mean(r => r["paper"]), Mean(r => r["default"]), Mean(r => r["never"]), Mean(r => r["always"]));
        var met = fused >= paper - 0.5 && fused >= best - 0.5 && (!task.Complementary || fused >= best + 2);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {task.Name} | {best:F1} | {paper:F1} | {fused:F1} | {fused - paper:+0.0;-0.0} | {fused - best:+0.0;-0.0} | {never:F1} | " +
            $"{fused - never:+0.0;-0.0} | {always:F1} | {always - never:+0.0;-0.0} | {(met ? "yes" : "no")} |");
    }

    private static T Options<T>(T options, FusionTask task, int epochs, int seed) where T : TrainerOptions
    {
        foreach (var view in task.Views)
        {
            options.Modalities.Add(new ModalityOptions(view) { HiddenSizes = [256] });
        }

        options.Epochs = epochs;
        options.BatchSize = 32;
        options.LearningRate = 0.01;
        options.EmbeddingSize = 128;
        options.Seed = seed;
        return options;
    }

    private static string MeanStd(double[] values)
    {
        var mean = values.Average();
        var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F1} ± {std:F1}");
    }
}
