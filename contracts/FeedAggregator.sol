// SPDX-License-Identifier: MIT
pragma solidity ^0.8.10;

/// A Chainlink-shaped price aggregator for keeper's devnet: the owner writes answers, and every
/// update emits the events a real Chainlink aggregator emits, so keeper follows the mainnet path.
/// Storage layout (for tests that write a price straight into storage, with no event):
///   slot 0: owner, slot 1: latestAnswer (int256), slot 2: latestTimestamp, slot 3: latestRound.
contract FeedAggregator {
  address public owner;
  int256 public latestAnswer;
  uint256 public latestTimestamp;
  uint256 public latestRound;
  uint8 public immutable decimals;
  string public description;

  mapping(uint256 => int256) private answers;
  mapping(uint256 => uint256) private timestamps;

  event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
  event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

  constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
    owner = msg.sender;
    decimals = decimals_;
    description = description_;
    _update(initialAnswer);
  }

  function version() external pure returns (uint256) {
    return 4;
  }

  function updateAnswer(int256 answer) external {
    require(msg.sender == owner, "FeedAggregator: not owner");
    _update(answer);
  }

  function getAnswer(uint256 roundId) external view returns (int256) {
    return answers[roundId];
  }

  function getTimestamp(uint256 roundId) external view returns (uint256) {
    return timestamps[roundId];
  }

  function getRoundData(uint80 roundId)
    external
    view
    returns (uint80, int256, uint256, uint256, uint80)
  {
    return (roundId, answers[roundId], timestamps[roundId], timestamps[roundId], roundId);
  }

  function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
    uint80 round = uint80(latestRound);
    return (round, latestAnswer, latestTimestamp, latestTimestamp, round);
  }

  function _update(int256 answer) private {
    latestRound += 1;
    latestAnswer = answer;
    latestTimestamp = block.timestamp;
    answers[latestRound] = answer;
    timestamps[latestRound] = block.timestamp;
    emit NewRound(latestRound, msg.sender, block.timestamp);
    emit AnswerUpdated(answer, latestRound, block.timestamp);
  }
}
