using System.Threading.Channels;

namespace DiMml.AspNetCore;

/// <summary>
/// Scores requests, coalescing concurrent ones into one ONNX Runtime call: a single loop takes the first waiting request,
/// adds every request that arrives within <see cref="DiMmlServingOptions.MaxBatchWait"/> (or is already waiting) up to
/// <see cref="DiMmlServingOptions.MaxBatchRows"/> rows, scores them together and hands each request its rows. Requests that
/// queue while a batch scores form the next batch, so under load batches grow without anyone waiting longer.
/// </summary>
internal sealed class ScoringQueue : IAsyncDisposable
{
    private readonly ModelHost host;
    private readonly DiMmlServingOptions options;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;
    private long coalescedRows;
    private long coalescedCalls;

    public ScoringQueue(ModelHost host, DiMmlServingOptions options)
    {
        this.host = host;
        this.options = options;
        loop = options.CoalesceRequests ? Task.Run(RunAsync) : Task.CompletedTask;
    }

    /// <summary>Rows scored in coalesced calls so far, and the calls.</summary>
    public (long Rows, long Calls) Coalesced => (Interlocked.Read(ref coalescedRows), Interlocked.Read(ref coalescedCalls));

    /// <summary>Scores <paramref name="rows"/> rows (one row-major array per input column); returns the predictions and the
    /// card of the model version that made them.</summary>
    public Task<(BulkPrediction[] Predictions, ModelCard Model)> ScoreAsync(float[][] inputs, int rows)
    {
        if (!options.CoalesceRequests)
        {
            try
            {
                return Task.FromResult(ScoreAlone(inputs, rows));
            }
            catch (Exception e) when (e is ModelChangedException or ObjectDisposedException)
            {
                return Task.FromException<(BulkPrediction[], ModelCard)>(e);
            }
        }

        var pending = new Pending(inputs, rows);
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(ScoringQueue), "The model is no longer being served (the app is stopping).");
        }

        return pending.Result.Task;
    }

    private (BulkPrediction[] Predictions, ModelCard Model) ScoreAlone(float[][] inputs, int rows)
    {
        var model = host.Lease();
        try
        {
            ModelChangedException.ThrowIfNotFor(model.Scorer, inputs, rows);
            return (model.Scorer.Score(inputs, rows), model.Card);
        }
        finally
        {
            model.Release();
        }
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        Pending? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new List<Pending>();
            var rows = 0;
            var deadline = DateTime.UtcNow + options.MaxBatchWait;
            while (rows < options.MaxBatchRows)
            {
                if (carried is null && !reader.TryRead(out carried))
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !await ArrivesWithin(reader, left).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                // A request that would overflow a non-empty batch starts the next one.
                if (batch.Count > 0 && rows + carried.Rows > options.MaxBatchRows)
                {
                    break;
                }

                batch.Add(carried);
                rows += carried.Rows;
                carried = null;
            }

            if (batch.Count > 0)
            {
                Score(batch, rows);
            }
        }
    }

    private static async Task<bool> ArrivesWithin(ChannelReader<Pending> reader, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Score(List<Pending> batch, int rows)
    {
        // Requests read against the previous version's inputs, when a swap changed them, are answered with a retry; the rest
        // still score together.
        ServedModel model;
        try
        {
            model = host.Lease();
        }
        catch (ObjectDisposedException e)
        {
            batch.ForEach(p => p.Result.TrySetException(e));
            return;
        }

        try
        {
            foreach (var stale in batch.Where(p => !ModelChangedException.Fits(model.Scorer, p.Inputs, p.Rows)).ToArray())
            {
                stale.Result.TrySetException(new ModelChangedException());
                batch.Remove(stale);
                rows -= stale.Rows;
            }
        }
        finally
        {
            model.Release();
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var inputs = Concatenate(batch, rows);
            var (predictions, scoredBy) = ScoreAlone(inputs, rows);
            Interlocked.Add(ref coalescedRows, rows);
            Interlocked.Increment(ref coalescedCalls);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Result.TrySetResult((predictions.AsSpan(offset, pending.Rows).ToArray(), scoredBy));
                offset += pending.Rows;
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(e);
            }
        }
    }

    private static float[][] Concatenate(List<Pending> batch, int rows)
    {
        if (batch.Count == 1)
        {
            return batch[0].Inputs;
        }

        var columns = batch[0].Inputs.Length;
        var joined = new float[columns][];
        for (var m = 0; m < columns; m++)
        {
            var size = batch[0].Inputs[m].Length / batch[0].Rows;
            joined[m] = new float[rows * size];
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Inputs[m].AsSpan(0, pending.Rows * size).CopyTo(joined[m].AsSpan(offset));
                offset += pending.Rows * size;
            }
        }

        return joined;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    private sealed class Pending(float[][] inputs, int rows)
    {
        public float[][] Inputs { get; } = inputs;

        public int Rows { get; } = rows;

        public TaskCompletionSource<(BulkPrediction[] Predictions, ModelCard Model)> Result { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
