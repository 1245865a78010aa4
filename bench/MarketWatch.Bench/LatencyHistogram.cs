namespace MarketWatch.Bench;

/// <summary>Latencies in 1 ms buckets: cheap to record from thousands of readers, exact enough for p50/p99.</summary>
public sealed class LatencyHistogram
{
    private readonly long[] _buckets = new long[120_001];
    private long _count;
    public volatile bool Recording;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long milliseconds)
    {
        if (!Recording)
        {
            return;
        }
        Interlocked.Increment(ref _buckets[Math.Clamp(milliseconds, 0, _buckets.Length - 1)]);
        Interlocked.Increment(ref _count);
    }

    public long Percentile(double p)
    {
        var target = (long)Math.Ceiling(Count * p);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= target && target > 0)
            {
                return i;
            }
        }
        return -1;
    }
}
