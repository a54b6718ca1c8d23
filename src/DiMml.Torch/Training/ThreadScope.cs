using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>libtorch's CPU thread count for the length of a Fit, put back afterwards: the setting is process-wide, and a
/// training run must not leave it changed for the rest of the application.</summary>
internal sealed class ThreadScope : IDisposable
{
    private readonly int? previous;

    private ThreadScope(int? threads)
    {
        if (threads is { } count)
        {
            previous = get_num_threads();
            set_num_threads(count);
        }
    }

    /// <summary>Sets <paramref name="threads"/> (nothing when null) until the scope is disposed.</summary>
    /// <exception cref="InvalidOperationException">No native libtorch is present; the message names the packages to add.</exception>
    public static ThreadScope Apply(int? threads)
    {
        LibTorchBackend.EnsureLoaded();
        return new(threads);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (previous is { } count)
        {
            set_num_threads(count);
        }
    }
}
