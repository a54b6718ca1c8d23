using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>The check every API that takes example weights makes at its boundary.</summary>
internal static class ExampleWeights
{
    /// <summary>Throws unless <paramref name="weights"/> is null or a 1-D tensor of <paramref name="rows"/> finite values &gt; 0
    /// (a weight of 0 would put log 0 into the DUC loss; drop such rows instead).</summary>
    public static void Check(Tensor? weights, long rows, string parameterName)
    {
        if (weights is null)
        {
            return;
        }

        if (weights.dim() != 1 || weights.shape[0] != rows)
        {
            throw new ArgumentException($"Give one example weight per row ({rows}); got shape [{string.Join(", ", weights.shape)}].",
                parameterName);
        }

        using var scope = NewDisposeScope();
        using var zero = 0.0.ToScalar();
        if (!weights.isfinite().all().item<bool>() || weights.le(zero).any().item<bool>())
        {
            throw new ArgumentOutOfRangeException(parameterName, "Example weights must be finite numbers > 0; drop rows of weight 0.");
        }
    }
}
