using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// One dedicated thread per modality, each with its own share of libtorch's CPU threads, that runs one action per modality at
/// the same time. Stage 1 trains detached encoders, so their forward and backward passes need not wait for each other; small
/// convolutions use two cores poorly, and two of them side by side at one thread each use them better (the speed suite has
/// the measured gain).
/// </summary>
/// <remarks>
/// libtorch's thread count is per native thread (OpenMP's setting of the calling thread) once a thread has run a parallel
/// operation, so each worker sets its share once when it starts, and the caller's count is put back for threads created
/// later. The threads are the runner's own, not the thread pool's, so no pool thread is left with a changed count. Tensors
/// belong to the dispose scope of the thread that made them: an action returns only tensors it has detached from its own
/// scope, and <see cref="Run{T}"/>'s caller takes ownership of them.
/// </remarks>
internal sealed class ModalityWorkers : IDisposable
{
    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] starts;
    private readonly CountdownEvent finished;
    private readonly Barrier meeting;
    private readonly object?[] results;
    private readonly Exception?[] failures;
    private Func<int, object?>? action;
    private CancellationTokenSource failed = new();
    private volatile bool stopping;

    private ModalityWorkers(int count, int threadsEach)
    {
        ThreadsEach = threadsEach;
        starts = Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0)).ToArray();
        finished = new CountdownEvent(count);
        meeting = new Barrier(count);
        results = new object?[count];
        failures = new Exception?[count];
        var callerThreads = get_num_threads();
        threads = Enumerable.Range(0, count).Select(m => new Thread(() => Loop(m))
        {
            IsBackground = true,
            Name = $"DiMml modality {m}",
        }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        // Each worker has set its own count by now; the process-wide default for threads created later is the caller's again.
        finished.Wait();
        set_num_threads(callerThreads);
        if (failures.FirstOrDefault(e => e is not null) is { } failure)
        {
            Dispose();
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>libtorch CPU threads of each worker.</summary>
    public int ThreadsEach { get; }

    /// <summary>Workers for <paramref name="modalities"/> modalities when running them side by side applies: asked for, on the
    /// CPU, two or more modalities and at least one libtorch thread each; otherwise null (one after the other).</summary>
    public static ModalityWorkers? TryCreate(bool parallel, Device device, int modalities)
    {
        var available = get_num_threads();
        return parallel && device.type == TorchSharp.DeviceType.CPU && modalities >= 2 && available >= modalities
            ? new ModalityWorkers(modalities, available / modalities)
            : null;
    }

    /// <summary>Runs <paramref name="body"/>(m) on worker m for every modality and waits for all of them; the first failure is
    /// rethrown (the other workers stop at their next <see cref="Meet"/>, and disposable results of the others are disposed).
    /// Every action must call <see cref="Meet"/> the same number of times.</summary>
    public T[] Run<T>(Func<int, T> body)
    {
        ObjectDisposedException.ThrowIf(stopping, this);
        action = m => body(m);
        Array.Clear(failures);
        finished.Reset();
        foreach (var start in starts)
        {
            start.Release();
        }

        finished.Wait();
        action = null;
        var failure = failures.FirstOrDefault(e => e is not null and not OperationCanceledException)
            ?? failures.FirstOrDefault(e => e is not null);
        if (failure is not null)
        {
            foreach (var result in results.OfType<IDisposable>())
            {
                result.Dispose();
            }

            failed.Dispose();
            failed = new CancellationTokenSource();
            ExceptionDispatchInfo.Throw(failure);
        }

        return results.Cast<T>().ToArray();
    }

    /// <summary>Waits, inside a <see cref="Run{T}"/> action, until every worker has reached this point.</summary>
    public void Meet() => meeting.SignalAndWait(failed.Token);

    private void Loop(int m)
    {
        // A thread's first libtorch call that asks for its thread count initialises it from the process-wide default, which
        // the caller puts back; doing that first makes this worker's own count stick.
        try
        {
            _ = get_num_threads();
            set_num_threads(ThreadsEach);
        }
        catch (Exception e)
        {
            failures[m] = e;
        }
        finally
        {
            finished.Signal();
        }

        while (true)
        {
            starts[m].Wait();
            if (stopping)
            {
                return;
            }

            try
            {
                results[m] = action!(m);
            }
            catch (Exception e)
            {
                results[m] = null;
                failures[m] = e;
                failed.Cancel();
            }
            finally
            {
                finished.Signal();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (stopping)
        {
            return;
        }

        stopping = true;
        foreach (var start in starts)
        {
            start.Release();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        foreach (var start in starts)
        {
            start.Dispose();
        }

        finished.Dispose();
        meeting.Dispose();
        failed.Dispose();
    }
}
