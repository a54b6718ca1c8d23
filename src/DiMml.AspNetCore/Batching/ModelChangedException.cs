namespace DiMml.AspNetCore;

/// <summary>A request read against a model version that a hot swap replaced while it waited (one whose inputs differ, or, for an
/// upload, any other version, since its features came from the old version's featurizers); answered with 503 and a retry hint,
/// since the client did nothing wrong.</summary>
internal sealed class ModelChangedException() : Exception(
    "The served model was replaced while this request waited; read GET {prefix} and send it again.")
{
    /// <summary>Whether <paramref name="inputs"/> (<paramref name="rows"/> rows) are what <paramref name="scorer"/> reads.</summary>
    public static bool Fits(BulkScorer scorer, float[][] inputs, int rows) =>
        inputs.Length == scorer.InputSizes.Count && inputs.Select((x, m) => x.Length == (long)rows * scorer.InputSizes[m]).All(b => b);

    /// <summary>Throws unless <paramref name="inputs"/> fit <paramref name="scorer"/>.</summary>
    public static void ThrowIfNotFor(BulkScorer scorer, float[][] inputs, int rows)
    {
        if (!Fits(scorer, inputs, rows))
        {
            throw new ModelChangedException();
        }
    }
}
