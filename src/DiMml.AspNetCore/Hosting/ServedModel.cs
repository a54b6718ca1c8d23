using DiMml.AspNetCore.Files;

namespace DiMml.AspNetCore;

/// <summary>One loaded version of the model file: its scorer and card. Counted leases keep it alive while a batch scores with
/// it after a newer version has replaced it.</summary>
internal sealed class ServedModel
{
    private int leases = 1;   // the host's own, released when the model is replaced

    public ServedModel(BulkScorer scorer, ModelCard card, FileFeaturizer? featurizer, string? featurizerProblem)
    {
        Scorer = scorer;
        Card = card;
        Featurizer = featurizer;
        FeaturizerProblem = featurizerProblem;
    }

    public BulkScorer Scorer { get; }

    /// <summary>The model's own featurizers for uploads; null when this app cannot run them (see
    /// <see cref="FeaturizerProblem"/>).</summary>
    public FileFeaturizer? Featurizer { get; }

    public string? FeaturizerProblem { get; }

    public ModelCard Card { get; }

    /// <summary>Takes a lease unless the model has already been released; returns whether it did.</summary>
    public bool TryLease()
    {
        var current = Volatile.Read(ref leases);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref leases, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Returns a lease; the last one disposes the scorer and the featurizers.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref leases) == 0)
        {
            Scorer.Dispose();
            Featurizer?.Dispose();
        }
    }
}
