using System.Net;
using MarketWatch.Web.Features.Notifications;

namespace MarketWatch.Tests.Features.Notifications;

/// <summary>
/// The webhook SSRF guard on IPv6 forms that carry an IPv4 address: the embedded address is what a tunnel or
/// translator would reach, so it must pass the same check; local-use NAT64 is refused outright.
/// </summary>
public sealed class NetworkRangesTests
{
    [TestCase("8.8.8.8")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]       // well-known NAT64 prefix, 8.8.8.8 inside
    [TestCase("::808:808")]              // IPv4-compatible ::8.8.8.8 (deprecated), a public address inside
    [TestCase("2002:808:808::1")]        // 6to4 for 8.8.8.8
    [TestCase("2002:808:808:1234:5678:9abc:def0:1")]
    [TestCase("2001:4860:4860::8888")]   // next to Teredo's 2001::/32, not in it
    [TestCase("2001:db9::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.That(NetworkRanges.IsForbidden(IPAddress.Parse(address)), Is.False);

    [TestCase("127.0.0.1")]
    [TestCase("::1")]
    [TestCase("::")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("64:ff9b::a9fe:a9fe")]     // 169.254.169.254 through the well-known NAT64 prefix
    // IPv4-compatible (::/96): the last four bytes
    [TestCase("::7f00:1")]               // ::127.0.0.1
    [TestCase("::a00:1")]                // ::10.0.0.1
    [TestCase("::a9fe:a9fe")]            // ::169.254.169.254
    [TestCase("::c0a8:101")]             // ::192.168.1.1
    [TestCase("::0.0.0.2")]
    // 6to4 (2002::/16): bytes 2 to 5
    [TestCase("2002:7f00:1::")]          // 127.0.0.1
    [TestCase("2002:7f00:1::1")]
    [TestCase("2002:a00:1:ffff::1")]     // 10.0.0.1
    [TestCase("2002:a9fe:a9fe::1")]      // 169.254.169.254
    [TestCase("2002:c0a8:101::1")]       // 192.168.1.1
    [TestCase("2002:ac10:1::1")]         // 172.16.0.1
    [TestCase("2002::1")]                // 0.0.0.0
    [TestCase("2002:e000:1::1")]         // 224.0.0.1, multicast
    // local-use NAT64 (64:ff9b:1::/48, RFC 8215): where the IPv4 sits depends on the operator's prefix length, so
    // nothing is decoded; a prefix meant for one network is never a public destination
    [TestCase("64:ff9b:1::808:808")]
    [TestCase("64:ff9b:1::a9fe:a9fe")]
    [TestCase("64:ff9b:1:ffff:ffff:ffff:ffff:ffff")]
    [TestCase("64:ff9b:1:7f00:1::")]
    // Teredo (2001::/32), refused whole: the RFC 4380 example (server 65.54.227.120, client 192.0.2.45 obfuscated),
    // one whose client is 127.0.0.1 (0x7f000001 XOR 0xffffffff = 80ff:fffe) and one naming a public client (8.8.8.8)
    [TestCase("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [TestCase("2001:0:4136:e378:8000:63bf:80ff:fffe")]
    [TestCase("2001:0:808:808:0:0:f7f7:f7f7")]
    [TestCase("2001::")]
    public void Private_or_local_addresses_are_refused(string address) =>
        Assert.That(NetworkRanges.IsForbidden(IPAddress.Parse(address)), Is.True);
}
