// SPDX-License-Identifier: MIT
pragma solidity ^0.8.10;

interface IChainlinkFeed {
  function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
  function decimals() external view returns (uint8);
}

/// A Morpho Blue oracle (IOracle.price(): loan token units per collateral token unit, scaled by
/// 1e36) for keeper's devnet, computed as Morpho's ChainlinkOracle does from the devnet's own
/// Chainlink-shaped USD feeds: SCALE_FACTOR x base answer / quote answer, with
/// SCALE_FACTOR = 10^(36 + quote token decimals + quote feed decimals - base token decimals -
/// base feed decimals). So one `keeper devnet price` moves Aave and Morpho alike.
///
/// The getters carry the names of MorphoChainlinkOracleV2's (BASE_FEED_1, ..., SCALE_FACTOR), so
/// keeper follows this oracle back to its feeds as it would a mainnet one; the unused second feeds
/// and vaults are the zero address, as there.
contract MorphoDevOracle {
  address public immutable BASE_VAULT = address(0);
  uint256 public immutable BASE_VAULT_CONVERSION_SAMPLE = 1;
  address public immutable QUOTE_VAULT = address(0);
  uint256 public immutable QUOTE_VAULT_CONVERSION_SAMPLE = 1;
  IChainlinkFeed public immutable BASE_FEED_1;
  IChainlinkFeed public immutable BASE_FEED_2 = IChainlinkFeed(address(0));
  IChainlinkFeed public immutable QUOTE_FEED_1;
  IChainlinkFeed public immutable QUOTE_FEED_2 = IChainlinkFeed(address(0));
  uint256 public immutable SCALE_FACTOR;

  constructor(IChainlinkFeed baseFeed, uint8 baseTokenDecimals, IChainlinkFeed quoteFeed,
              uint8 quoteTokenDecimals) {
    BASE_FEED_1 = baseFeed;
    QUOTE_FEED_1 = quoteFeed;
    SCALE_FACTOR = 10 ** (36 + uint256(quoteTokenDecimals) + quoteFeed.decimals() -
                          baseTokenDecimals - baseFeed.decimals());
  }

  function price() external view returns (uint256) {
    return (SCALE_FACTOR * answer(BASE_FEED_1)) / answer(QUOTE_FEED_1);
  }

  // As Morpho's ChainlinkDataFeedLib.getPrice: a negative answer is refused.
  function answer(IChainlinkFeed feed) internal view returns (uint256) {
    (, int256 value,,,) = feed.latestRoundData();
    require(value >= 0, "negative answer");
    return uint256(value);
  }
}
