using System.Diagnostics;
using DiMml.TestSupport;
using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class CancellationTests
{
    // The stage under test is long (many steps per epoch, many epochs), so the cancel lands mid-epoch there.
    private static DiMmlOptions LongRun(TrainingStage stage)
    {
        var options = Small.DiMml(2, epochs: stage == TrainingStage.Detached ? 200 : 2);
        options.BatchSize = 8;
        options.FusionEpochs = 200;
        return options;
    }

    [TestMethod]
    [DataRow(TrainingStage.Detached)]
    [DataRow(TrainingStage.Fusion)]
    public void CancellingFromAnotherThreadStopsTheFitWithinASecond(TrainingStage stage)
    {
        using var train = Synthetic.Clusters(2_000, 2, 8, 3, separation: 3, seed: 41);
        using var stop = new CancellationTokenSource();
        using var reached = new ManualResetEventSlim();
        var options = LongRun(stage);
        options.CancellationToken = stop.Token;
        options.EpochCompleted = record =>
        {
            if (record.Stage == stage)
            {
                reached.Set();
            }
        };
        var watch = new Stopwatch();
        var canceller = Task.Run(() =>
        {
            reached.Wait();
            Thread.Sleep(20);   // into the next epoch
            watch.Start();
            stop.Cancel();
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => new DiMmlLearner(options).Fit(train));
        watch.Stop();
        canceller.Wait();
        Assert.IsLessThan(1.0, watch.Elapsed.TotalSeconds, $"stopped {watch.Elapsed.TotalSeconds:F2} s after the cancel in {stage}");
    }

    [TestMethod]
    public void ACancelledTokenStopsTheFitBeforeTheFirstStep()
    {
        using var train = Synthetic.Clusters(200, 2, 8, 3, separation: 3, seed: 42);
        var options = Small.DiMml(2, epochs: 2);
        options.CancellationToken = new CancellationToken(canceled: true);
        var epochs = 0;
        options.EpochCompleted = _ => epochs++;

        Assert.ThrowsExactly<OperationCanceledException>(() => new DiMmlLearner(options).Fit(train));
        Assert.AreEqual(0, epochs);
    }
}
