using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Benchmarks;

/// <summary>Medians of repeated timings, the only statistic the suites quote (shared machines are noisy).</summary>
internal static class Timing
{
    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Milliseconds of <paramref name="repeats"/> runs of <paramref name="action"/> after one warm-up. On a GPU each
    /// timing waits for the queued kernels, so it measures the work and not its launch.</summary>
    public static double[] Time(int repeats, Action action, Device? device = null)
    {
        void Run()
        {
            action();
            if (device?.type == DeviceType.CUDA)
            {
                cuda.synchronize(device);
            }
        }

        Run();
        return Enumerable.Range(0, repeats).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            Run();
            return watch.Elapsed.TotalMilliseconds;
        }).ToArray();
    }
}
