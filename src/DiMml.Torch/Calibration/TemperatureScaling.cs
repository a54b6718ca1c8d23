using DiMml.Torch.Data;
using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Calibration;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one temperature τ per branch such that <c>softmax(z / τ)</c> minimises the
/// negative log-likelihood of held-out labels. The NLL is convex in β = 1/τ, so a golden-section search over log β
/// finds the minimum; all branches are searched together, one vectorised pass per step.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>Smallest temperature the search considers.</summary>
    public const double MinTemperature = 0.01;

    /// <summary>Largest temperature the search considers (close to a uniform distribution for typical logits).</summary>
    public const double MaxTemperature = 100.0;

    private const int Iterations = 60;
    private const long ChunkElements = 1L << 23;
    private static readonly double InverseGolden = (Math.Sqrt(5) - 1) / 2;

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
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var logits = stack(branchLogits.ToArray(), 0).to(ScalarType.Float64);
        var target = labels.to(logits.device);
        var rowWeights = weights?.to(ScalarType.Float64, logits.device);
        var lo = Enumerable.Repeat(Math.Log(1 / MaxTemperature), branchLogits.Count).ToArray();
        var hi = Enumerable.Repeat(Math.Log(1 / MinTemperature), branchLogits.Count).ToArray();
        for (var i = 0; i < Iterations; i++)
        {
            var a = lo.Zip(hi, (l, h) => h - InverseGolden * (h - l)).ToArray();
            var b = lo.Zip(hi, (l, h) => l + InverseGolden * (h - l)).ToArray();
            var nll = NegativeLogLikelihood(logits, target, a.Concat(b).ToArray(), rowWeights);
            for (var k = 0; k < lo.Length; k++)
            {
                if (nll[k] <= nll[lo.Length + k])
                {
                    hi[k] = b[k];
                }
                else
                {
                    lo[k] = a[k];
                }
            }
        }

        return lo.Zip(hi, (l, h) => Math.Clamp(1 / Math.Exp((l + h) / 2), MinTemperature, MaxTemperature)).ToArray();
    }

    /// <summary>Mean NLL of held-out labels under <c>softmax(z_k / τ_k)</c>, per branch.</summary>
    /// <param name="branchLogits">K tensors <c>[n, C]</c>.</param>
    /// <param name="labels">Labels <c>[n]</c> (int64).</param>
    /// <param name="temperatures">K temperatures.</param>
    public static double[] NegativeLogLikelihood(IReadOnlyList<Tensor> branchLogits, Tensor labels, IReadOnlyList<double> temperatures)
    {
        ArgumentNullException.ThrowIfNull(branchLogits);
        ArgumentNullException.ThrowIfNull(temperatures);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var logits = stack(branchLogits.ToArray(), 0).to(ScalarType.Float64);
        return NegativeLogLikelihood(logits, labels.to(logits.device), temperatures.Select(t => Math.Log(1 / t)).ToArray());
    }

    // logits [K, n, C]; logBetas holds K·j values, the j-th block scaling every branch once. Rows go in chunks so a large
    // held-out set with many classes stays within a bounded buffer.
    private static double[] NegativeLogLikelihood(Tensor logits, Tensor labels, double[] logBetas, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var (branches, rows, classes) = (logits.shape[0], logits.shape[1], logits.shape[2]);
        var blocks = logBetas.Length / branches;
        var betas = tensor(logBetas, ScalarType.Float64, logits.device).exp().reshape(blocks, branches, 1, 1);
        var chunk = Math.Max(1, ChunkElements / (blocks * branches * classes));
        var total = zeros(blocks * branches, ScalarType.Float64, logits.device);
        for (long start = 0; start < rows; start += chunk)
        {
            using var step = NewDisposeScope();
            var length = Math.Min(chunk, rows - start);
            var scaled = (logits.narrow(1, start, length).unsqueeze(0) * betas).log_softmax(3);
            var index = labels.narrow(0, start, length).reshape(1, 1, -1, 1).expand(blocks, branches, -1, 1);
            var logLikelihood = scaled.gather(3, index);
            if (weights is not null)
            {
                logLikelihood = logLikelihood * weights.narrow(0, start, length).reshape(1, 1, -1, 1);
            }

            total.sub_(logLikelihood.sum([2, 3]).flatten());
        }

        using var mean = ScalarMath.Divide(total, weights is null ? rows : weights.sum().item<double>());
        return mean.cpu().data<double>().ToArray();
    }
}
