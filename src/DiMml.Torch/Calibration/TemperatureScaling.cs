using DiMml.Calibration;
using DiMml.Torch.Data;
using static TorchSharp.torch;

namespace DiMml.Torch.Calibration;

/// <summary>
/// Temperature scaling (Guo et al., 2017) of tensors: one temperature τ per branch such that <c>softmax(z / τ)</c> minimises
/// the negative log-likelihood of held-out labels, by a golden-section search over log(1/τ) (the NLL is convex there). The
/// search itself is the TorchSharp-free one that certainty-weighted fusion over any trainers' scores uses.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>Smallest temperature the search considers.</summary>
    public const double MinTemperature = TemperatureSearch.MinTemperature;

    /// <summary>Largest temperature the search considers (close to a uniform distribution for typical logits).</summary>
    public const double MaxTemperature = TemperatureSearch.MaxTemperature;

    /// <summary>Fits one temperature per branch.</summary>
    /// <param name="branchLogits">K tensors <c>[n, C]</c> of held-out logits (rows with NaN are not allowed).</param>
    /// <param name="labels">Held-out labels <c>[n]</c> (int64).</param>
    /// <param name="weights">Example weights <c>[n]</c> of a weighted NLL; null when every row weighs 1.</param>
    /// <returns>K temperatures in [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>].</returns>
    public static double[] Fit(IReadOnlyList<Tensor> branchLogits, Tensor labels, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        ArgumentNullException.ThrowIfNull(labels);
        if (branchLogits.Count == 0 || labels.shape[0] == 0)
        {
            throw new ArgumentException("Temperature scaling needs at least one branch and one held-out row.", nameof(branchLogits));
        }

        ExampleWeights.Check(weights, labels.shape[0], nameof(weights));
        return TemperatureSearch.Fit(branchLogits.Select(Doubles).ToArray(), Classes(branchLogits), Labels(labels),
            weights is null ? null : Doubles(weights));
    }

    /// <summary>Mean NLL of held-out labels under <c>softmax(z_k / τ_k)</c>, per branch.</summary>
    /// <param name="branchLogits">K tensors <c>[n, C]</c>.</param>
    /// <param name="labels">Labels <c>[n]</c> (int64).</param>
    /// <param name="temperatures">K temperatures.</param>
    public static double[] NegativeLogLikelihood(IReadOnlyList<Tensor> branchLogits, Tensor labels, IReadOnlyList<double> temperatures)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        ArgumentNullException.ThrowIfNull(temperatures);
        var rows = Labels(labels);
        return branchLogits.Select((z, k) =>
            TemperatureSearch.NegativeLogLikelihood(Doubles(z), (int)z.shape[1], rows, null, 1 / temperatures[k])).ToArray();
    }

    private static int Classes(IReadOnlyList<Tensor> branchLogits) => (int)branchLogits[0].shape[1];

    private static double[] Doubles(Tensor values)
    {
        using var cpu = values.detach().to(ScalarType.Float64).cpu().contiguous();
        return cpu.data<double>().ToArray();
    }

    private static long[] Labels(Tensor labels)
    {
        using var cpu = labels.to(ScalarType.Int64).cpu().contiguous();
        return cpu.data<long>().ToArray();
    }
}
