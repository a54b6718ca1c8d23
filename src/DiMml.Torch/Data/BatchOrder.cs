using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Seeded row order per epoch. The permutation of epoch e depends only on (seed, e), so a resumed run or a
/// streaming reader can reproduce any epoch's order without replaying earlier ones.
/// </summary>
public static class BatchOrder
{
    /// <summary>The row permutation <c>[n]</c> (int64, CPU) for <paramref name="epoch"/>.</summary>
    /// <param name="rowCount">Number of rows n.</param>
    /// <param name="seed">Training seed.</param>
    /// <param name="epoch">0-based epoch (stage-specific streams use distinct offsets).</param>
    public static Tensor Permutation(long rowCount, long seed, int epoch)
    {
        using var generator = new Generator(Mix(seed, epoch));
        return randperm(rowCount, generator: generator);
    }

    /// <summary>Splits a permutation into consecutive batches; the last one may be shorter.</summary>
    /// <param name="permutation">Row order <c>[n]</c>.</param>
    /// <param name="batchSize">Rows per batch.</param>
    public static IEnumerable<Tensor> Batches(Tensor permutation, int batchSize)
    {
        var rows = permutation.shape[0];
        for (long start = 0; start < rows; start += batchSize)
        {
            yield return permutation.narrow(0, start, Math.Min(batchSize, rows - start));
        }
    }

    // SplitMix64 finaliser: nearby (seed, epoch) pairs give unrelated generator seeds.
    internal static ulong Mix(long seed, int epoch)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
