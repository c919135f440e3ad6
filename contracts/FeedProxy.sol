// SPDX-License-Identifier: MIT
pragma solidity ^0.8.10;

interface IFeedAggregator {
  function latestAnswer() external view returns (int256);
  function latestTimestamp() external view returns (uint256);
  function latestRound() external view returns (uint256);
  function decimals() external view returns (uint8);
  function description() external view returns (string memory);
  function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}

/// Shaped like Chainlink's EACAggregatorProxy: the AaveOracle reads the proxy, the proxy reads its
/// current aggregator, and `aggregator()` tells keeper which contract's events to follow.
contract FeedProxy {
  address public owner;
  IFeedAggregator public aggregator;

  event AggregatorConfirmed(address indexed previous, address indexed latest);

  constructor(address aggregator_) {
    owner = msg.sender;
    aggregator = IFeedAggregator(aggregator_);
  }

  function confirmAggregator(address aggregator_) external {
    require(msg.sender == owner, "FeedProxy: not owner");
    emit AggregatorConfirmed(address(aggregator), aggregator_);
    aggregator = IFeedAggregator(aggregator_);
  }

  function latestAnswer() external view returns (int256) {
    return aggregator.latestAnswer();
  }

  function latestTimestamp() external view returns (uint256) {
    return aggregator.latestTimestamp();
  }

  function latestRound() external view returns (uint256) {
    return aggregator.latestRound();
  }

  function decimals() external view returns (uint8) {
    return aggregator.decimals();
  }

  function description() external view returns (string memory) {
    return aggregator.description();
  }

  function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
    return aggregator.latestRoundData();
  }
}
