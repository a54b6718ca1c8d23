using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class CancellationTests
{
    // MLContext.CancelExecution is internal in ML.NET 5.0.1; AutoML reaches it from inside, a test by reflection.
    private static void CancelExecution(MLContext ml) =>
        (typeof(MLContext).GetMethod("CancelExecution", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException("MLContext.CancelExecution not found")).Invoke(ml, null);

    private static (IDataView Data, DiMmlTrainer.Options Options) LongFit(MLContext ml)
    {
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(TwoViewRows.Make(600, seed: 5)))
            .Transform(ml.Data.LoadFromEnumerable(TwoViewRows.Make(600, seed: 5)));
        var options = TwoViewRows.SmallOptions(epochs: 400);
        options.BatchSize = 4;
        return (data, options);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TheMLContextOrTheOptionTokenStopsAFitWithinASecond(bool viaMLContext)
    {
        var ml = new MLContext(seed: 0);
        var (data, options) = LongFit(ml);
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        options.CancellationToken = stop.Token;
        options.EpochCompleted = _ => started.Set();
        var watch = new Stopwatch();
        var canceller = Task.Run(() =>
        {
            started.Wait();
            watch.Start();
            if (viaMLContext)
            {
                CancelExecution(ml);
            }
            else
            {
                stop.Cancel();
            }
        });

        Assert.Throws<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.DiMml(options).Fit(data));
        watch.Stop();
        canceller.Wait();
        Assert.IsLessThan(1.0, watch.Elapsed.TotalSeconds, $"stopped {watch.Elapsed.TotalSeconds:F2} s after the cancel");
    }

    private sealed class TopOnly
    {
        [VectorType(TwoViewRow.Size)]
        public float[] Top { get; set; } = [];
    }

    private sealed class SlowTop
    {
        [VectorType(TwoViewRow.Size)]
        public float[] Slow { get; set; } = [];
    }

    // 100,000 rows at 1 ms each: "count" makes the row count unknown and slow to find; "read" and "stream" leave the count
    // quick (no column is computed) and make each row's modality slow to read, in memory or by the streaming scan.
    [TestMethod]
    [DataRow("count")]
    [DataRow("read")]
    [DataRow("stream")]
    public void ACancelWhileTheDataIsCountedOrReadStopsTheFitWithinASecond(string phase)
    {
        var ml = new MLContext(seed: 0);
        var rows = TwoViewRows.Make(30, seed: 8);
        IEnumerable<TwoViewRow> Rows(bool slow)
        {
            for (var i = 0; i < 100_000; i++)
            {
                if (slow)
                {
                    Thread.Sleep(1);
                }

                yield return rows[i % rows.Length];
            }
        }

        var source = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows))
            .Transform(ml.Data.LoadFromEnumerable(Rows(slow: phase == "count")));
        var data = ml.Transforms.CustomMapping<TopOnly, SlowTop>((input, output) =>
        {
            Thread.Sleep(phase == "count" ? 0 : 1);
            output.Slow = input.Top;
        }, contractName: null).Fit(source).Transform(source);
        using var stop = new CancellationTokenSource();
        var options = TwoViewRows.SmallOptions(epochs: 1);
        options.Modalities[0].ColumnName = "Slow";
        options.MemoryBudgetBytes = phase == "stream" ? 2_000 : null;
        options.CancellationToken = stop.Token;
        var watch = new Stopwatch();
        var canceller = Task.Run(async () =>
        {
            await Task.Delay(500);
            watch.Start();
            await stop.CancelAsync();
        });

        Assert.Throws<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.DiMml(options).Fit(data));
        watch.Stop();
        canceller.Wait();
        Assert.IsLessThan(1.0, watch.Elapsed.TotalSeconds, $"stopped {watch.Elapsed.TotalSeconds:F2} s after the cancel");
    }

    [TestMethod]
    [DoNotParallelize]   // reads libtorch's process-wide thread count
    public void NumberOfThreadsAppliesToTheFitAndIsRestoredAfterIt()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(TwoViewRows.Make(90, seed: 6)))
            .Transform(ml.Data.LoadFromEnumerable(TwoViewRows.Make(90, seed: 6)));
        var before = TorchSharp.torch.get_num_threads();
        var options = TwoViewRows.SmallOptions(epochs: 1);
        options.NumberOfThreads = before == 1 ? 2 : 1;
        var during = 0;
        options.EpochCompleted = _ => during = TorchSharp.torch.get_num_threads();
        using var model = ml.MulticlassClassification.Trainers.DiMml(options).Fit(data);

        Assert.AreEqual(options.NumberOfThreads, during, "the Fit runs with the asked thread count");
        Assert.AreEqual(before, TorchSharp.torch.get_num_threads(), "and leaves the process as it found it");
    }
}
