namespace DiMml.MLNet;

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
                if (contextCanceled())
                {
                    source.Cancel();
                }
            }, null, TimeSpan.Zero, PollInterval);
        }
    }

    /// <summary>Cancelled when either source asks.</summary>
    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        poll?.Dispose();
        source.Dispose();
    }
}
