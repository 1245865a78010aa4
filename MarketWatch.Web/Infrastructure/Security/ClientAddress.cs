using System.Net;
using System.Net.Sockets;

namespace MarketWatch.Web.Infrastructure.Security;

/// <summary>What a per-client limit counts by: one key per client, however it spells its address.</summary>
public static class ClientAddress
{
    /// <summary>
    /// IPv4 by address; IPv6 by its /64 (one subscriber's prefix: a client rotates addresses freely inside it);
    /// an IPv4-mapped IPv6 address (<c>::ffff:a.b.c.d</c>, a dual-stack socket) as the IPv4 address it carries.
    /// "unknown" when there is no address (an in-memory test server).
    /// </summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
