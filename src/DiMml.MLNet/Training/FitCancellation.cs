namespace DiMml;

/// <summary>
/// One token for a Fit that is cancelled by the trainer's <see cref="Torch.Training.TrainerOptions.CancellationToken"/> or
/// by <c>MLContext.CancelExecution</c>. ML.NET keeps the latter's state internal and offers no token, so it is polled
/// every <see cref="PollInterval"/> while the Fit runs.
/// </summary>
internal sealed class FitCancellation : IDisposable
{
    /// <summary>How often the MLContext's cancellation state is read.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly CancellationTokenSource source;
    private readonly Timer? poll;

    public FitCancellation(Func<bool>? contextCanceled, CancellationToken optionToken)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(optionToken);
        if (contextCanceled is not null)
        {
            poll = new Timer(_ =>
            {
                if (!source.IsCancellationRequested && contextCanceled())
                {
                    source.Cancel();
                }
            }, null, TimeSpan.Zero, PollInterval);
        }
    }

    /// <summary>Cancelled when either source asks.</summary>
    public CancellationToken Token => source.Token;

    // A timer callback already queued can still run after Timer.Dispose(); waiting for it keeps it off the disposed source.
    public void Dispose()
    {
        if (poll is not null)
        {
            using var callbacksDone = new ManualResetEvent(false);
            if (poll.Dispose(callbacksDone))
            {
                callbacksDone.WaitOne();
            }
        }

        source.Dispose();
    }
}
