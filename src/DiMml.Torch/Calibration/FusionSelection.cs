using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using static TorchSharp.torch;

namespace DiMml.Torch.Calibration;

/// <summary>
/// The fusion a model scores with, chosen on held-out rows that stage 1 never trained on. Candidates, simplest first: the
/// paper's weighting at T = 1 and T = 3, each single branch, the fusion head alone, the calibrated weighting, the per-class
/// weighting and the stacked combiner (<see cref="BranchCombinerKind"/>). Every candidate that fits something on the held-out
/// rows (temperatures, combiner) is cross-fitted over <see cref="CrossFitFolds"/> folds, so each row is scored by a version
/// fitted without it; the fusion head's held-out logits come cross-fitted too. A combiner's L2 strength is chosen once, by
/// inner cross-validation on all held-out rows (<see cref="CombinerFitting.ChooseStrength"/>), and kept in every fold. Every
/// candidate is then paired with the paper's weighting on the held-out rows; one replaces it only when its gain exceeds two
/// standard errors of the paired difference (three for a single branch, which drops a modality), and of those the one with the
/// highest lower bound (gain minus that many standard errors) is kept (<see cref="FusionRule.Default"/>). A near-tie on a few
/// hundred rows keeps the paper's weighting, and a fusion of every modality is preferred to one branch.
/// </summary>
public sealed class FusionSelection
{
    /// <summary>Folds of the cross-fitting.</summary>
    public const int CrossFitFolds = 5;

    /// <summary>Name of the paper's weighting (T = 1): where the choice starts.</summary>
    public const string PaperName = "paper-t1";

    /// <summary>Name of the paper's weighting at T = 3.</summary>
    public const string PaperT3Name = "paper-t3";

    /// <summary>Name of the fusion-head-alone candidate.</summary>
    public const string FusionHeadName = "fusion-head";

    /// <summary>Prefix of the single-branch candidates' names (<c>branch:{modality}</c>).</summary>
    public const string BranchPrefix = "branch:";

    /// <summary>Name of the calibrated-weighting candidate.</summary>
    public const string CalibratedName = "calibrated";

    /// <summary>Name of the per-class weighting candidate.</summary>
    public const string PerClassName = "per-class";

    /// <summary>Name of the stacked-combiner candidate.</summary>
    public const string StackedName = "stacked";

    private FusionSelection(FusionCandidate chosen, IReadOnlyList<FusionCandidate> candidates, IReadOnlyList<FusionComparison> comparisons,
        IReadOnlyList<double> branchTemperatures, int heldOutRows, FusionHeadSource headSource, HeldOutOutcomes outcomes)
    {
        Outcomes = outcomes;
        Chosen = chosen;
        Candidates = candidates;
        Comparisons = comparisons;
        BranchTemperatures = branchTemperatures;
        HeldOutRows = heldOutRows;
        HeadSource = headSource;
    }

    /// <summary>The candidate the model scores with.</summary>
    public FusionCandidate Chosen { get; }

    /// <summary>Every candidate with its held-out accuracy, simplest first.</summary>
    public IReadOnlyList<FusionCandidate> Candidates { get; }

    /// <summary>The steps of the choice, in order (empty when the calibrated weighting was asked for).</summary>
    public IReadOnlyList<FusionComparison> Comparisons { get; }

    /// <summary>The fitted temperature of each branch, in branch order (fitted on every held-out row).</summary>
    public IReadOnlyList<double> BranchTemperatures { get; }

    /// <summary>Which rows the kept fusion head was fitted on.</summary>
    public FusionHeadSource HeadSource { get; }

    /// <summary>Number of held-out rows the temperatures and accuracies come from.</summary>
    public int HeldOutRows { get; }

    /// <summary>Per candidate (in <see cref="Candidates"/> order), whether each held-out row was predicted right, cross-fitted; with
    /// the rows' example weights (null when every row weighs 1). What the choice was made from, kept for its evaluation.</summary>
    internal HeldOutOutcomes Outcomes { get; }

    /// <summary>Whether the model's stage 1 and fusion head were trained again on all rows after the choice.</summary>
    public bool RefittedOnAllRows { get; private init; }

    /// <summary>This choice, for the model refitted on all rows (its fusion head trained on the training rows).</summary>
    internal FusionSelection AfterRefit() =>
        new(Chosen, Candidates, Comparisons, BranchTemperatures, HeldOutRows,
            HeadSource == FusionHeadSource.None ? FusionHeadSource.None : FusionHeadSource.TrainingRows, Outcomes)
        { RefittedOnAllRows = true };

    /// <summary>Fits, scores and chooses the candidates.</summary>
    /// <param name="branchNames">Branch names, in branch order (modality heads, then <c>fusion</c> when present).</param>
    /// <param name="branchLogits">Per branch, held-out logits <c>[n, C]</c>; the fusion head's must be cross-fitted.</param>
    /// <param name="labels">Held-out labels <c>[n]</c>.</param>
    /// <param name="settings">Certainty temperature, fusion branch, whether to choose, fold seed.</param>
    /// <param name="weights">Held-out example weights <c>[n]</c>: temperatures, combiners, accuracies and the paired gains then
    /// count a row of weight w as w copies of it. Null when every row weighs 1.</param>
    public static FusionSelection Fit(IReadOnlyList<string> branchNames, IReadOnlyList<Tensor> branchLogits, Tensor labels,
        FusionChoiceSettings settings, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(branchNames);
        ArgumentNullException.ThrowIfNull(branchLogits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        ExampleWeights.Check(weights, labels.shape[0], nameof(weights));
        using var scope = NewDisposeScope();
        var all = Rows(branchLogits, labels, settings.CertaintyTemperature, weights);
        // One strength per combiner, chosen on all held-out rows and kept in every fold: nesting the choice in the folds would
        // cost five times the fits for one hyperparameter out of four values.
        var strengths = settings.Select
            ? Enum.GetValues<BranchCombinerKind>().ToDictionary(k => k, k =>
                CombinerFitting.ChooseStrength(k, all.LogProbabilities, all.Weights, labels, settings.Seed, weights))
            : [];
        var specs = Specs(branchNames, settings, strengths).ToArray();
        var correct = CrossFitted(specs, branchLogits, labels, settings, weights);
        var rowWeights = weights?.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var candidates = specs.Select((s, i) =>
            new FusionCandidate(s.Name, s.Fit(all), MeanCorrect(correct[i], rowWeights)) { FittedOnHeldOutRows = s.Fitted }).ToArray();
        var outcomes = new HeldOutOutcomes(correct, rowWeights);
        var (chosen, comparisons) = settings.Select
            ? FusionRule.Default.Choose(candidates, outcomes)
            : (Array.FindIndex(candidates, c => c.Name == CalibratedName), []);
        return new FusionSelection(candidates[chosen], candidates, comparisons, all.Temperatures, (int)labels.shape[0],
            settings.HeadSource, outcomes);
    }

    // Rows a candidate is fitted on, with what every candidate needs of them computed once.
    private sealed record FitRows(Tensor Labels, double[] Temperatures, Tensor LogProbabilities, Tensor Weights, Tensor? ExampleWeights);

    private sealed record Spec(string Name, Func<FitRows, CertaintyWeighting> Fit, bool Fitted = false);

    private static FitRows Rows(IReadOnlyList<Tensor> logits, Tensor labels, double certaintyTemperature, Tensor? exampleWeights)
    {
        var temperatures = TemperatureScaling.Fit(logits, labels, exampleWeights);
        var calibrated = new CertaintyWeighting(certaintyTemperature, temperatures);
        var (_, weights) = calibrated.Fuse(logits);
        return new FitRows(labels, temperatures, stack(calibrated.Calibrate(logits), 1).log_softmax(2), weights, exampleWeights);
    }

    // Simplest first: the order of the choice.
    private static IEnumerable<Spec> Specs(IReadOnlyList<string> names, FusionChoiceSettings settings,
        Dictionary<BranchCombinerKind, double> strengths)
    {
        var t = settings.CertaintyTemperature;
        bool[] Only(int k) => names.Select((_, i) => i == k).ToArray();
        yield return new(PaperName, _ => new CertaintyWeighting(1.0));
        yield return new(PaperT3Name, _ => new CertaintyWeighting(3.0));
        var modalityBranches = names.Count - (settings.HasFusionBranch ? 1 : 0);
        for (var k = 0; k < modalityBranches; k++)
        {
            var only = Only(k);
            yield return new(BranchPrefix + names[k], r => new CertaintyWeighting(1.0, r.Temperatures, only));
        }

        if (settings.HasFusionBranch)
        {
            var only = Only(names.Count - 1);
            yield return new(FusionHeadName, r => new CertaintyWeighting(1.0, r.Temperatures, only));
        }

        yield return new(CalibratedName, r => new CertaintyWeighting(t, r.Temperatures), Fitted: true);
        if (!settings.Select)
        {
            yield break;   // the calibrated weighting was asked for: the learnt combiners could not be chosen
        }

        foreach (var (kind, name) in new[] { (BranchCombinerKind.PerClass, PerClassName), (BranchCombinerKind.Stacked, StackedName) })
        {
            yield return new(name, r => new CertaintyWeighting(t, r.Temperatures,
                combiner: CombinerFitting.FitWith(kind, r.LogProbabilities, r.Weights, r.Labels, strengths[kind], r.ExampleWeights)),
                Fitted: true);
        }
    }

    // Per candidate, whether each held-out row is predicted right by a version fitted on the other folds.
    private static bool[][] CrossFitted(Spec[] specs, IReadOnlyList<Tensor> logits, Tensor labels, FusionChoiceSettings settings,
        Tensor? weights)
    {
        var rows = labels.shape[0];
        var correct = specs.Select(_ => new bool[rows]).ToArray();
        var folds = (int)Math.Min(CrossFitFolds, rows / 2);
        if (folds < 2)
        {
            // Too few rows to hold any out: in-sample accuracy is all there is.
            for (var i = 0; i < specs.Length; i++)
            {
                correct[i] = Correct(specs[i].Fit(Rows(logits, labels, settings.CertaintyTemperature, weights)), logits, labels);
            }

            return correct;
        }

        using var assignment = Folds.Assign(rows, folds, settings.Seed);
        for (var f = 0; f < folds; f++)
        {
            using var step = NewDisposeScope();
            var (fit, held) = Folds.Split(assignment, f, labels.device);
            var fitLogits = logits.Select(z => z.index_select(0, fit)).ToArray();
            var heldLogits = logits.Select(z => z.index_select(0, held)).ToArray();
            var (fitLabels, heldLabels) = (labels.index_select(0, fit), labels.index_select(0, held));
            var rowsOfFold = held.cpu().data<long>().ToArray();
            var fitRows = Rows(fitLogits, fitLabels, settings.CertaintyTemperature, weights?.index_select(0, fit.to(weights.device)));
            for (var i = 0; i < specs.Length; i++)
            {
                var outcome = Correct(specs[i].Fit(fitRows), heldLogits, heldLabels);
                for (var r = 0; r < rowsOfFold.Length; r++)
                {
                    correct[i][rowsOfFold[r]] = outcome[r];
                }
            }
        }

        return correct;
    }

    private static bool[] Correct(CertaintyWeighting weighting, IReadOnlyList<Tensor> logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (fused, _) = weighting.Fuse(logits);
        return fused.argmax(1).eq(labels.to(fused.device)).cpu().data<bool>().ToArray();
    }

    // Accuracy of per-row outcomes, each row counted by its weight.
    private static double MeanCorrect(bool[] correct, double[]? rowWeights) => rowWeights is null
        ? correct.Average(c => c ? 1.0 : 0.0)
        : correct.Select((c, i) => c ? rowWeights[i] : 0).Sum() / rowWeights.Sum();

    /// <summary>Mean of the per-row differences in correctness and its standard error; with example weights, a row of weight w
    /// counts as w copies (weighted mean, variance over Σw − 1, standard error over Σw).</summary>
    internal static (double Gain, double StandardError) PairedGain(bool[] candidate, bool[] incumbent, double[]? rowWeights = null)
    {
        var differences = candidate.Zip(incumbent, (a, b) => (a ? 1.0 : 0.0) - (b ? 1.0 : 0.0)).ToArray();
        if (rowWeights is not null)
        {
            var total = rowWeights.Sum();
            var weightedMean = differences.Select((d, i) => d * rowWeights[i]).Sum() / total;
            var weightedVariance = total > 1
                ? differences.Select((d, i) => rowWeights[i] * (d - weightedMean) * (d - weightedMean)).Sum() / (total - 1) : 0;
            return (weightedMean, Math.Sqrt(weightedVariance / total));
        }

        var n = differences.Length;
        var mean = differences.Average();
        var variance = n > 1 ? differences.Sum(d => (d - mean) * (d - mean)) / (n - 1) : 0;
        return (mean, Math.Sqrt(variance / n));
    }
}
