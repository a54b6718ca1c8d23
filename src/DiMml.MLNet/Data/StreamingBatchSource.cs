using System.Collections.Concurrent;
using System.Diagnostics;
using DiMml.Torch.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DiMml.MLNet.Data;

/// <summary>
/// Training rows read from an <see cref="IDataView"/> on demand, for data that does not fit the memory budget.
/// An epoch's row order (the same seeded permutation the in-memory mode uses) is cut into windows of whole
/// batches; a background task decodes the next window with one forward pass of a cursor, fetching only that
/// window's rows, while training consumes the current one. At most two windows are held at a time. Example weights (one
/// float per row) are read by the first scan and kept in memory.
/// </summary>
internal sealed class StreamingBatchSource : IBatchSource
{
    private readonly IDataView data;
    private readonly DataViewSchema.Column label;
    private readonly DataViewSchema.Column[] modalities;
    private readonly int[] sizes;
    private readonly long[] sourceRows;
    private readonly float[]? weights;
    private readonly CancellationToken cancellation;
    private readonly int windowRows;
    private long waitTicks;

    /// <summary>Scans the data once (labels, weights and finiteness) and remembers which rows are usable. <paramref name="cancellation"/>
    /// stops the scan and, later, any wait for a window and the decoding of one (checked every 256 rows).</summary>
    public StreamingBatchSource(IDataView data, ReadPlan plan, long windowBytes, CancellationToken cancellation = default)
    {
        this.data = data;
        this.cancellation = cancellation;
        label = data.Schema[plan.LabelColumn];
        modalities = plan.ModalityColumns.Select(c => data.Schema[c]).ToArray();
        sizes = plan.Sizes;
        ClassCount = plan.ClassCount;
        var rowBytes = 4L * sizes.Sum();
        windowRows = (int)Math.Clamp(windowBytes / rowBytes, 1, int.MaxValue);
        var usable = new List<long>();
        var rowWeights = plan.WeightColumn is null ? null : new List<float>();
        Counts = TrainingData.Scan(data, plan, (row, _, weight, _) =>
        {
            usable.Add(row);
            rowWeights?.Add(weight);
        }, cancellation);
        sourceRows = usable.ToArray();
        weights = rowWeights?.ToArray();
    }

    /// <summary>Rows used and skipped by the scan.</summary>
    public TrainingData.ReadCounts Counts { get; }

    /// <inheritdoc />
    public int Count => sourceRows.Length;

    /// <inheritdoc />
    public int ModalityCount => modalities.Length;

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> FeatureSizes => sizes;

    /// <inheritdoc />
    public bool IsWeighted => weights is not null;

    /// <summary>Rows per decoded window.</summary>
    public int WindowRows => windowRows;

    /// <summary>Time the training loop spent waiting for decoded data since the last call; resets the counter.</summary>
    public TimeSpan TakeWaitTime() => TimeSpan.FromTicks(Interlocked.Exchange(ref waitTicks, 0));

    /// <inheritdoc />
    public IEnumerable<Batch> Batches(Tensor order, int batchSize, Device device)
    {
        var rows = order.data<long>().ToArray();
        var window = Math.Max(1, windowRows / batchSize) * batchSize;
        using var windows = new BlockingCollection<Window>(boundedCapacity: 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var producer = Task.Run(() => Produce(rows, window, windows, stop.Token));
        try
        {
            while (true)
            {
                var watch = Stopwatch.StartNew();
                var available = windows.TryTake(out var next, Timeout.Infinite, cancellation);
                Interlocked.Add(ref waitTicks, watch.Elapsed.Ticks);
                if (!available)
                {
                    break;
                }

                foreach (var batch in Slice(next!, batchSize, device))
                {
                    yield return batch;
                }
            }

            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.Wait();
            }
            catch (AggregateException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    private sealed record Window(float[][] Features, long[] Labels, float[]? Weights, int Rows);

    // Batches are views into the window's tensors; the window tensors are detached from the caller's per-step
    // scope (they outlive the step) and freed once the window is used up.
    private IEnumerable<Batch> Slice(Window window, int batchSize, Device device)
    {
        var features = window.Features.Select((f, m) => tensor(f, [window.Rows, sizes[m]]).DetachFromDisposeScope()).ToArray();
        var labels = tensor(window.Labels).DetachFromDisposeScope();
        var rowWeights = window.Weights is null ? null : tensor(window.Weights).DetachFromDisposeScope();
        try
        {
            for (var start = 0; start < window.Rows; start += batchSize)
            {
                var length = Math.Min(batchSize, window.Rows - start);
                yield return new Batch(features.Select(f => f.narrow(0, start, length).to(device)).ToArray(),
                    labels.narrow(0, start, length).to(device), rowWeights?.narrow(0, start, length).to(device));
            }
        }
        finally
        {
            foreach (var f in features)
            {
                f.Dispose();
            }

            labels.Dispose();
            rowWeights?.Dispose();
        }
    }

    private void Produce(long[] order, int window, BlockingCollection<Window> windows, CancellationToken stop)
    {
        try
        {
            var position = new int[Count];
            Array.Fill(position, -1);
            var reader = new ForwardReader(this);
            try
            {
                for (var start = 0; start < order.Length && !stop.IsCancellationRequested; start += window)
                {
                    var length = Math.Min(window, order.Length - start);
                    for (var i = 0; i < length; i++)
                    {
                        position[order[start + i]] = i;
                    }

                    windows.Add(reader.Read(order.AsSpan(start, length), position, length, stop), stop);
                    for (var i = 0; i < length; i++)
                    {
                        position[order[start + i]] = -1;
                    }
                }
            }
            finally
            {
                reader.Dispose();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            windows.CompleteAdding();
        }
    }

    // One cursor moving forward; it restarts from the first row only when a window needs a row behind it.
    private sealed class ForwardReader(StreamingBatchSource source) : IDisposable
    {
        private DataViewRowCursor? cursor;
        private ValueGetter<uint>? labelGetter;
        private ValueGetter<VBuffer<float>>[] getters = [];
        private long sourceRow = -1;
        private int nextUsable;

        public Window Read(ReadOnlySpan<long> rows, int[] position, int length, CancellationToken stop)
        {
            var first = long.MaxValue;
            foreach (var u in rows)
            {
                first = Math.Min(first, source.sourceRows[u]);
            }

            if (cursor is null || sourceRow >= first)
            {
                Restart();
            }

            var features = source.sizes.Select(size => new float[(long)length * size]).ToArray();
            var labels = new long[length];
            var buffers = new VBuffer<float>[getters.Length];
            uint key = 0;
            var remaining = length;
            while (remaining > 0 && cursor!.MoveNext())
            {
                if ((++sourceRow & 255) == 0)
                {
                    stop.ThrowIfCancellationRequested();
                }

                if (nextUsable >= source.sourceRows.Length || source.sourceRows[nextUsable] != sourceRow)
                {
                    continue;
                }

                var slot = position[nextUsable++];
                if (slot < 0)
                {
                    continue;
                }

                labelGetter!(ref key);
                labels[slot] = key - 1;
                for (var m = 0; m < getters.Length; m++)
                {
                    getters[m](ref buffers[m]);
                    buffers[m].CopyTo(features[m].AsSpan(slot * source.sizes[m], source.sizes[m]));
                }

                remaining--;
            }

            if (remaining > 0)
            {
                throw new InvalidOperationException("The training data changed while it was being streamed: fewer rows than at the start " +
                    "of training.");
            }

            var rowWeights = source.weights is { } all ? rows.ToArray().Select(u => all[u]).ToArray() : null;
            return new Window(features, labels, rowWeights, length);
        }

        public void Dispose() => cursor?.Dispose();

        private void Restart()
        {
            cursor?.Dispose();
            cursor = source.data.GetRowCursor(source.modalities.Append(source.label));
            labelGetter = cursor.GetGetter<uint>(source.label);
            getters = source.modalities.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
            sourceRow = -1;
            nextUsable = 0;
        }
    }
}
