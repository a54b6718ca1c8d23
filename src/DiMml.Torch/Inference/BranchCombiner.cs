using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Inference;

/// <summary>
/// A learnt combination of the branches' calibrated log-probabilities (see <see cref="BranchCombinerKind"/>), fitted on held-out
/// rows by <see cref="Calibration.CombinerFitting"/>. Weights are stored row-major: <c>[K, C]</c> for
/// <see cref="BranchCombinerKind.PerClass"/>, <c>[K·C, C]</c> for <see cref="BranchCombinerKind.Stacked"/>.
/// </summary>
public sealed class BranchCombiner
{
    private readonly double[] weights;
    private readonly double[] bias;

    /// <summary>Creates the combiner.</summary>
    /// <param name="kind">Per-class weighting or stacked combiner.</param>
    /// <param name="branchCount">Number of branches K.</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="weights">Row-major weights: <c>K·C</c> values (per-class) or <c>K·C·C</c> (stacked), all finite.</param>
    /// <param name="bias">C finite class biases.</param>
    public BranchCombiner(BranchCombinerKind kind, int branchCount, int classCount, IReadOnlyList<double> weights,
        IReadOnlyList<double> bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (!Enum.IsDefined(kind) || branchCount < 1 || classCount < 2)
        {
            throw new ArgumentException($"A {kind} combiner needs a defined kind, at least one branch and two classes.", nameof(kind));
        }

        var expected = branchCount * classCount * (kind == BranchCombinerKind.Stacked ? classCount : 1);
        if (weights.Count != expected || bias.Count != classCount || weights.Concat(bias).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException($"A {kind} combiner of {branchCount} branches and {classCount} classes needs {expected} finite " +
                $"weights and {classCount} finite biases; got {weights.Count} and {bias.Count}.", nameof(weights));
        }

        Kind = kind;
        BranchCount = branchCount;
        ClassCount = classCount;
        this.weights = [.. weights];
        this.bias = [.. bias];
    }

    /// <summary>Per-class weighting or stacked combiner.</summary>
    public BranchCombinerKind Kind { get; }

    /// <summary>Number of branches K.</summary>
    public int BranchCount { get; }

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The weights, row-major (see the class remarks).</summary>
    public IReadOnlyList<double> Weights => weights;

    /// <summary>The class biases.</summary>
    public IReadOnlyList<double> Bias => bias;

    /// <summary>The weights' shape: <c>[K, C]</c> or <c>[K·C, C]</c>.</summary>
    public long[] WeightShape => Kind == BranchCombinerKind.Stacked ? [BranchCount * ClassCount, ClassCount] : [BranchCount, ClassCount];

    /// <summary>Fused logits <c>[B, C]</c> from calibrated log-probabilities; the caller owns the result.</summary>
    /// <param name="logProbabilities"><c>[B, K, C]</c> calibrated log-probabilities.</param>
    /// <param name="certaintyWeights"><c>[B, K]</c> certainty weights, 0 for unavailable branches.</param>
    /// <param name="weightedSum"><c>[B, C]</c> the plain certainty-weighted logits, kept by the stacked combiner for rows
    /// that miss a branch.</param>
    /// <param name="allAvailable"><c>[B]</c> whether every branch of the row is present.</param>
    public Tensor Combine(Tensor logProbabilities, Tensor certaintyWeights, Tensor weightedSum, Tensor allAvailable)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        ArgumentNullException.ThrowIfNull(certaintyWeights);
        using var scope = NewDisposeScope();
        var w = tensor(weights, logProbabilities.dtype, logProbabilities.device).reshape(WeightShape);
        var b = tensor(bias, logProbabilities.dtype, logProbabilities.device);
        var combined = Logits(Kind, w, b, logProbabilities, certaintyWeights);
        return (Kind == BranchCombinerKind.PerClass ? combined : where(allAvailable.unsqueeze(1), combined, weightedSum))
            .MoveToOuterDisposeScope();
    }

    /// <summary>The combination itself, for rows whose branches are all present (stacked) or any rows (per-class); shared by
    /// scoring and fitting so that both compute the same function.</summary>
    internal static Tensor Logits(BranchCombinerKind kind, Tensor weights, Tensor bias, Tensor logProbabilities, Tensor certaintyWeights)
    {
        using var scope = NewDisposeScope();
        return Apply(kind, Features(kind, logProbabilities, certaintyWeights), weights, bias).MoveToOuterDisposeScope();
    }

    /// <summary>What the weights multiply: the flattened log-probabilities <c>[B, K·C]</c> (stacked) or the certainty-weighted
    /// log-probabilities <c>[B, K, C]</c> (per-class).</summary>
    internal static Tensor Features(BranchCombinerKind kind, Tensor logProbabilities, Tensor certaintyWeights)
    {
        if (kind == BranchCombinerKind.PerClass)
        {
            // Unavailable branches have weight 0; their log-probabilities must not leak through 0 · inf.
            using var scalars = new ScalarScope();
            using var unavailable = certaintyWeights.eq(scalars.Of(0.0)).unsqueeze(2);
            using var kept = logProbabilities.masked_fill(unavailable, scalars.Of(0.0));
            return certaintyWeights.unsqueeze(2) * kept;
        }

        return logProbabilities.flatten(1).nan_to_num(0.0, 0.0, 0.0);
    }

    /// <summary>Fused logits <c>[B, C]</c> from <see cref="Features"/>: <c>X·W + b</c> or <c>Σ_k A_k ⊙ α_k + b</c>.</summary>
    internal static Tensor Apply(BranchCombinerKind kind, Tensor features, Tensor weights, Tensor bias)
    {
        using var scope = NewDisposeScope();
        var combined = kind == BranchCombinerKind.PerClass ? (features * weights).sum(1) : features.matmul(weights);
        return ScalarMath.Add(combined, bias).MoveToOuterDisposeScope();
    }
}
