using MarketWatch.Web.Features.Market.Calendar;

namespace MarketWatch.Web.Features.Market.Providers.Simulated;

/// <summary>What the simulation needs to know about one instrument when it starts.</summary>
public sealed record SimulatedInstrument(string Ticker, decimal PreviousClose, long Shares, decimal? Last = null, decimal? Open = null,
    decimal? High = null, decimal? Low = null, long Volume = 0, decimal ValueTraded = 0, DateOnly? SessionDate = null, bool SessionClosed = false);

/// <summary>
/// A market that behaves like the Casablanca exchange: trades only in continuous trading (or at the closing price
/// after the closing auction), more of them near the open and the close, never beyond ±10% of the static reference
/// price (the previous close), and an official close set by the closing auction. Deterministic: the same seed
/// and the same sequence of <see cref="Step"/> times give the same prices.
/// </summary>
public sealed class SimulatedMarket
{
    public const decimal DailyLimit = 0.10m;
    private const double SessionSeconds = 5 * 3600 + 50 * 60;
    private const double TradingDaysPerYear = 252;

    private readonly ExchangeCalendar _calendar;
    private readonly bool _demoMode;
    private readonly int _seed;
    private readonly Dictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset? _lastStep;

    public SimulatedMarket(int seed, ExchangeCalendar calendar, bool demoMode, IEnumerable<SimulatedInstrument> instruments)
    {
        _seed = seed;
        _calendar = calendar;
        _demoMode = demoMode;
        var list = instruments.ToList();
        // Bigger companies trade more often: liquidity follows the rank by market capitalisation.
        var ranked = list.OrderByDescending(i => i.PreviousClose * i.Shares).Select((i, rank) => (i, rank)).ToList();
        foreach (var (instrument, rank) in ranked)
        {
            Add(instrument, 1.0 - (double)rank / Math.Max(1, ranked.Count));
        }
    }

    public IReadOnlyCollection<string> Tickers => _states.Keys;

    public void Add(SimulatedInstrument instrument, double liquidityRank = 0.3)
    {
        var random = new Random(StableSeed(_seed, instrument.Ticker));
        _states[instrument.Ticker] = new State(instrument, random, AnnualVolatility(_seed, instrument.Ticker), liquidityRank);
    }

    /// <summary>Yearly volatility of an instrument: between 15% and 50%, fixed by the seed and the ticker.</summary>
    public static double AnnualVolatility(int seed, string ticker) => 0.15 + 0.35 * new Random(StableSeed(seed, ticker + "#vol")).NextDouble();

    /// <summary>Advances the market to <paramref name="now"/> and returns the quotes that changed (all of them on the first call).</summary>
    public IReadOnlyList<ProviderQuote> Step(DateTimeOffset now)
    {
        var first = _lastStep is null;
        var seconds = first ? 1.0 : Math.Clamp((now - _lastStep!.Value).TotalSeconds, 0, 60);
        _lastStep = now;
        var date = ExchangeCalendar.ExchangeDate(now);
        var phase = _demoMode ? MarketPhase.Continuous : _calendar.PhaseAt(now);
        var progress = _demoMode ? DemoProgress(now) : SessionProgress(now, date);
        var changed = new List<ProviderQuote>();
        foreach (var state in _states.Values)
        {
            if (state.Advance(date, phase, progress, seconds) || first)
            {
                changed.Add(state.ToQuote(now));
            }
        }
        return changed;
    }

    /// <summary>0 at the start of continuous trading, 1 at its end: drives the U-shaped intraday volume.</summary>
    private double SessionProgress(DateTimeOffset now, DateOnly date)
    {
        var hours = _calendar.HoursOn(date);
        var start = ExchangeCalendar.At(date, hours.ContinuousStart);
        var end = ExchangeCalendar.At(date, hours.ContinuousEnd);
        return Math.Clamp((now - start).TotalSeconds / Math.Max(1, (end - start).TotalSeconds), 0, 1);
    }

    /// <summary>In demo mode the U-shape repeats every hour, so the feed stays lively around the clock.</summary>
    private static double DemoProgress(DateTimeOffset now) => (now.Minute * 60 + now.Second) / 3600.0;

    /// <summary>FNV-1a: stable across processes (string.GetHashCode is not).</summary>
    public static int StableSeed(int seed, string text)
    {
        unchecked
        {
            var hash = (uint)2166136261 ^ (uint)seed;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }
            return (int)hash;
        }
    }

    public static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static decimal RoundPrice(decimal price) => Math.Round(price, 2, MidpointRounding.AwayFromZero);

    public static decimal Clamp(decimal price, decimal reference) =>
        Math.Clamp(RoundPrice(price), RoundPrice(reference * (1 - DailyLimit)) + 0.01m, RoundPrice(reference * (1 + DailyLimit)) - 0.01m);

    private sealed class State(SimulatedInstrument start, Random random, double annualVolatility, double liquidityRank)
    {
        private readonly string _ticker = start.Ticker;
        private readonly long _shares = Math.Max(1, start.Shares);
        private readonly double _tradesPerSecond = 0.01 + 0.4 * liquidityRank * liquidityRank;
        private DateOnly? _session = start.SessionDate;
        private decimal _previousClose = start.PreviousClose;
        private decimal _last = start.Last ?? start.PreviousClose;
        private decimal? _open = start.Open;
        private decimal _high = start.High ?? start.Last ?? start.PreviousClose;
        private decimal _low = start.Low ?? start.Last ?? start.PreviousClose;
        private long _volume = start.Volume;
        private decimal _value = start.ValueTraded;
        private bool _closed = start.SessionClosed;

        public bool Advance(DateOnly date, MarketPhase phase, double progress, double seconds)
        {
            var changed = false;
            if (_session != date && phase != MarketPhase.Closed)
            {
                // A new session: yesterday's last price is today's static reference.
                _previousClose = _last;
                _open = null;
                _high = _low = _last;
                _volume = 0;
                _value = 0;
                _closed = false;
                _session = date;
                changed = true;
            }
            switch (phase)
            {
                case MarketPhase.Continuous:
                    if (_open is null)
                    {
                        // The opening auction's price: a gap around the previous close.
                        Trade(_previousClose * (decimal)Math.Exp(Normal(random) * DailySigma * 0.3), AuctionSize());
                        _open = _last;
                        changed = true;
                    }
                    var probability = Math.Min(1, _tradesPerSecond * seconds * (0.4 + 2.4 * Math.Pow(2 * progress - 1, 2)));
                    if (random.NextDouble() < probability)
                    {
                        var sigma = DailySigma * Math.Sqrt(Math.Max(seconds, 1) / SessionSeconds);
                        Trade(_last * (decimal)Math.Exp(Normal(random) * sigma), TradeSize());
                        changed = true;
                    }
                    break;
                case MarketPhase.TradingAtLast:
                case MarketPhase.Closed:
                    if (_open is not null && !_closed && _session == date)
                    {
                        // The closing auction sets the official close.
                        Trade(_last * (decimal)Math.Exp(Normal(random) * DailySigma * 0.1), AuctionSize());
                        _closed = true;
                        changed = true;
                    }
                    if (phase == MarketPhase.TradingAtLast && _closed && random.NextDouble() < Math.Min(1, _tradesPerSecond * seconds * 0.2))
                    {
                        var size = TradeSize();
                        _volume += size;
                        _value += size * _last;
                        changed = true;
                    }
                    break;
            }
            return changed;
        }

        private double DailySigma => annualVolatility / Math.Sqrt(TradingDaysPerYear);

        private long TradeSize()
        {
            var expectedDaily = _shares * 0.0004;
            var perTrade = expectedDaily / Math.Max(1, _tradesPerSecond * SessionSeconds);
            return Math.Max(1, (long)Math.Round(perTrade * Math.Exp(Normal(random) * 0.8 - 0.32)));
        }

        private long AuctionSize() => TradeSize() * 20;

        private void Trade(decimal price, long size)
        {
            _last = Clamp(price, _previousClose);
            _high = Math.Max(_high, _last);
            _low = Math.Min(_low, _last);
            _volume += size;
            _value += size * _last;
        }

        public ProviderQuote ToQuote(DateTimeOffset now) =>
            new(_ticker, _last, now, _open ?? _last, _high, _low, _previousClose, _volume, Math.Round(_value, 2));
    }
}
