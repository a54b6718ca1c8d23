using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// A BatchNorm layer's forward pass that keeps its Scalars alive across the native calls. TorchSharp 0.107's own
/// <c>BatchNorm.forward</c> counts batches with <c>num_batches_tracked.add_(1)</c>, whose temporary Scalars a GC can finalise
/// during the call; under allocation pressure (clips decoded on a background thread while training streams) the freed handle
/// was reused and training stopped with "For integral input tensors, argument alpha must not be a floating point number".
/// The arithmetic is the module's: batch statistics while training (updating the running ones by the momentum), the running
/// statistics otherwise.
/// </summary>
internal static class BatchNormForward
{
    /// <summary><paramref name="norm"/> applied to <paramref name="input"/>.</summary>
    public static Tensor Apply(BatchNorm norm, Tensor input)
    {
        if (norm.training && norm.track_running_stats && norm.num_batches_tracked is { } count)
        {
            using var one = 1L.ToScalar();
            count.add_(one, one);
        }

        // A null momentum means a cumulative average in PyTorch; the encoders here always set one.
        var momentum = norm.momentum ?? 1.0 / Math.Max(1, norm.num_batches_tracked?.item<long>() ?? 1);
        return nn.functional.batch_norm(input, norm.running_mean, norm.running_var, norm.weight, norm.bias,
            norm.training || !norm.track_running_stats, momentum, norm.eps);
    }
}
