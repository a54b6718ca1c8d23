using DiMml.Serving;

namespace DiMml.AspNetCore;

/// <summary>One loaded version of the model file: its scorer and card. Counted leases keep it alive while a batch scores with
/// it after a newer version has replaced it.</summary>
internal sealed class ServedModel
{
    private int leases = 1;   // the host's own, released when the model is replaced

    public ServedModel(BulkScorer scorer, ModelCard card)
    {
        Scorer = scorer;
        Card = card;
    }

    public BulkScorer Scorer { get; }

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

    /// <summary>Returns a lease; the last one disposes the scorer.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref leases) == 0)
        {
            Scorer.Dispose();
        }
    }
}
